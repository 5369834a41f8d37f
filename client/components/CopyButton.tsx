import { useEffect, useState } from 'react'
import { t } from '../lib/i18n'

/** Put text on the clipboard; where the Clipboard API is refused (plain http on a network address), fall back to a hidden textarea. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    return ok
  }
}

export function CopyButton({ text, label, accessibleLabel }: { text: string; label?: string; accessibleLabel?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => setState('idle'), 2500)
    return () => clearTimeout(timer)
  }, [state])
  return (
    <span className="copy">
      <button type="button" className="secondary small" aria-label={accessibleLabel} onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}>
        {label ?? t('staff.copy')}
      </button>
      <span className="copy-status" role="status">
        {state === 'copied' ? t('staff.copied') : state === 'failed' ? t('staff.copyFailed') : ''}
      </span>
    </span>
  )
}

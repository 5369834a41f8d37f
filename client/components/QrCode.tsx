import { toDataURL } from 'qrcode'
import { useEffect, useState } from 'react'

/**
 * A QR code drawn in the browser by the `qrcode` package: a participant's link never leaves this page
 * for a QR service.
 */
export function QrCode({ text, label, size = 144 }: { text: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    toDataURL(text, { margin: 1, width: size, errorCorrectionLevel: 'M' }).then(
      (url) => current && setSrc(url),
      () => current && setSrc(null),
    )
    return () => {
      current = false
    }
  }, [text, size])
  return src ? <img className="qr" src={src} width={size} height={size} alt={label} /> : <span className="qr" style={{ width: size, height: size }} />
}

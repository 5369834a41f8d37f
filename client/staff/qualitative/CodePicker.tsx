/**
 * Choosing codes to apply: the codebook's codes as checkboxes, grouped under their theme and
 * category, with a filter for a long codebook. Themes and categories group codes; only codes are applied.
 */
import { useId, useState } from 'react'
import { t } from '../../lib/i18n'
import { codeTree, type CodeTreeNode } from './codebook-tree'
import type { CodeRow } from './types'

/** The codes under a node (the node itself when it is one), filtered by name. */
function codesUnder(node: CodeTreeNode, matches: (code: CodeRow) => boolean): CodeTreeNode[] {
  if (node.level === 'code') return matches(node) ? [node] : []
  return node.children.flatMap((child) => codesUnder(child, matches))
}

export function CodePicker({ codes, chosen, onToggle }: { codes: readonly CodeRow[]; chosen: ReadonlySet<string>; onToggle: (codeId: string, on: boolean) => void }) {
  const id = useId()
  const [filter, setFilter] = useState('')
  const needle = filter.trim().toLocaleLowerCase()
  const matches = (code: CodeRow) => needle === '' || code.name.toLocaleLowerCase().includes(needle) || (code.description ?? '').toLocaleLowerCase().includes(needle)
  const roots = codeTree(codes)
  const loose = roots.filter((r) => r.level === 'code' && matches(r))

  const checkbox = (code: CodeTreeNode) => (
    <li key={code.id}>
      <label className="check">
        <input type="checkbox" checked={chosen.has(code.id)} onChange={(e) => onToggle(code.id, e.target.checked)} />
        <span>{code.name}</span>
      </label>
    </li>
  )
  const group = (node: CodeTreeNode) => {
    if (codesUnder(node, matches).length === 0) return null
    if (node.level === 'theme') {
      return (
        <fieldset key={node.id} className="picker-theme">
          <legend>{node.name}</legend>
          {node.children.filter((c) => c.level === 'category').map(group)}
          <ul className="picker-codes">{node.children.filter((c) => c.level === 'code' && matches(c)).map(checkbox)}</ul>
        </fieldset>
      )
    }
    return (
      <div key={node.id} className="picker-category" role="group" aria-labelledby={`${id}-${node.id}`}>
        <p id={`${id}-${node.id}`} className="picker-category-name">
          {node.name}
        </p>
        <ul className="picker-codes">{node.children.filter((c) => c.level === 'code' && matches(c)).map(checkbox)}</ul>
      </div>
    )
  }

  if (!codes.some((c) => c.level === 'code')) return <p className="muted">{t('staff.coding.noCodes')}</p>
  return (
    <div className="code-picker">
      <label htmlFor={`${id}-filter`} className="small">
        {t('staff.coding.filterCodes')}
      </label>
      <input id={`${id}-filter`} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="picker-scroll">
        {roots.filter((r) => r.level !== 'code').map(group)}
        {loose.length > 0 && (
          <fieldset className="picker-theme">
            <legend>{t('staff.codebook.ungrouped')}</legend>
            <ul className="picker-codes">{loose.map(checkbox)}</ul>
          </fieldset>
        )}
      </div>
    </div>
  )
}

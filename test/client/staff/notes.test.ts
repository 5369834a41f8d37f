/**
 * The report's footnote marks (client/staff/cohort/notes.tsx), rendered as the page renders them. A
 * newcomer read a reliable change of "4.21" with notes 3 and 4 beside it as "4.21" and "34": two marks
 * were two superscripts side by side.
 */
import { createElement, Fragment, type ReactNode } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Footnotes } from '../../../client/staff/cohort/notes'

const html = (node: ReactNode) => renderToStaticMarkup(createElement(Fragment, null, node))
const text = (node: ReactNode) => html(node).replace(/<[^>]+>/g, '')

describe('footnote marks', () => {
  it('puts two marks in one superscript, their numbers separated by a comma, each a link to its note', () => {
    const notes = new Footnotes('stats')
    notes.number('first reason')
    notes.number('second reason')
    const marks = notes.ref('third reason', 'fourth reason')
    expect(text(marks)).toBe('3, 4')
    expect(html(marks).match(/<sup/g)).toHaveLength(1)
    expect([...html(marks).matchAll(/href="#stats-note-(\d)"/g)].map((m) => m[1])).toEqual(['3', '4'])
    expect(notes.reasons).toEqual(['first reason', 'second reason', 'third reason', 'fourth reason'])
  })

  it('skips reasons not given, gives nothing for none, and marks a reason given twice once', () => {
    const notes = new Footnotes('stats')
    expect(notes.ref(undefined, undefined)).toBeNull()
    expect(text(notes.ref(undefined, 'only reason'))).toBe('1')
    expect(text(notes.ref('only reason', 'only reason'))).toBe('1')
    expect(notes.reasons).toEqual(['only reason'])
  })
})

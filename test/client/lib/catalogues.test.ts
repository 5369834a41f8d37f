/**
 * Every interface text exists in every language, with the same placeholders. When a key is added to an
 * English catalogue and not to its Persian one, this test fails and names each missing key and the
 * file it is missing from, so that the Persian can be written before the change lands.
 */
import { describe, expect, it } from 'vitest'
import { participantEn } from '../../../client/lib/i18n'
import { participantFa } from '../../../client/lib/messages.fa'
import { staffEn } from '../../../client/staff/messages'
import { staffFa } from '../../../client/staff/messages.fa'

const catalogues = [
  { file: 'client/lib/messages.fa.ts', english: 'client/lib/i18n.ts', en: participantEn as Record<string, string>, other: participantFa as Record<string, string> },
  { file: 'client/staff/messages.fa.ts', english: 'client/staff/messages.ts', en: staffEn as Record<string, string>, other: staffFa as Record<string, string> },
]

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

/** What is wrong with `other` against `en`, one line per problem. */
export function catalogueProblems(file: string, en: Record<string, string>, other: Record<string, string>): string[] {
  const problems: string[] = []
  for (const key of Object.keys(en)) {
    if (!(key in other)) problems.push(`${file}: missing "${key}" (English: ${JSON.stringify(en[key])})`)
    else if (other[key]!.trim() === '') problems.push(`${file}: "${key}" is empty`)
    else if (placeholders(other[key]!).join() !== placeholders(en[key]!).join() && !key.endsWith('_one')) {
      // A singular form may leave out {count} ("a minute"); every other form keeps the English placeholders.
      problems.push(`${file}: "${key}" has placeholders {${placeholders(other[key]!).join('}, {')}}, English has {${placeholders(en[key]!).join('}, {')}}`)
    }
  }
  for (const key of Object.keys(other)) if (!(key in en)) problems.push(`${file}: "${key}" is not an English key (renamed or removed?)`)
  return problems
}

describe('message catalogues', () => {
  for (const { file, english, en, other } of catalogues) {
    it(`${file} has every key of ${english}, with the same placeholders`, () => {
      const problems = catalogueProblems(file, en, other)
      expect(problems, `${problems.length} problem(s):\n${problems.join('\n')}`).toEqual([])
    })
  }

  it('names a missing key, a stray key and a lost placeholder', () => {
    expect(catalogueProblems('x.fa.ts', { a: 'A {n}', b: 'B', c: 'C' }, { a: 'الف', c: 'ج', d: 'د' })).toEqual([
      'x.fa.ts: "a" has placeholders {}, English has {n}',
      'x.fa.ts: missing "b" (English: "B")',
      'x.fa.ts: "d" is not an English key (renamed or removed?)',
    ])
  })
})

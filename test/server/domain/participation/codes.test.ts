/**
 * The rules a participant code follows in both imports (CSV and REFI-QDA): what is refused and why,
 * how a refused code is shown in a message, and which codes are taken for one another.
 */
import { describe, expect, it } from 'vitest'
import { codeProblem, LookAlikeCodes, lookAlikeKey, normalCode, shownCode } from '../../../../server/domain/participation/codes'

describe('codeProblem', () => {
  it.each([
    ['P12'],
    ['Group A / 7'],
    ['Caf\u00E9'],
    // Persian with a ZWNJ (U+200C) and with vowel signs on its letters (fatha U+064E, shadda U+0651).
    ['\u0645\u06CC\u200C\u0631\u0648\u06F2'],
    ['\u0645\u064E\u0631\u0651\u06F3'],
    ['\u{1F600}'.repeat(64)],
  ])('takes %j', (code) => {
    expect(codeProblem(code)).toBeNull()
  })

  it.each([
    ['', /^is empty$/],
    ['x'.repeat(65), /^is 65 characters long/],
    ['P\u20281', /control character \(U\+2028\)/],
    ['P\u00851', /control character \(U\+0085\)/],
    ['P1\u034F', /U\+034F, a character nobody sees/],
    ['P1\uFE0F', /U\+FE0F, a character nobody sees/],
    ['P\u20661\u2069', /U\+2066, a character nobody sees/],
    ['P\u20091', /U\+2009, a space other than the ordinary one/],
    ['P\uE0001', /U\+E000, which is not a character/],
    ['P\uDC001', /U\+DC00, which is not a character/],
    ['\u0301P1', /combining mark \(U\+0301\)/],
    // Found by a review: a joiner at the end, or between Latin letters and digits, joins nothing and is invisible.
    ['P2\u200C', /U\+200C, a zero-width joiner or non-joiner, where it joins no two letters of Persian or Arabic script/],
    ['P\u200D2', /U\+200D, a zero-width joiner/],
    ['\u0639\u0644\u06CC\u06F2\u200C', /U\+200C, a zero-width joiner/],
    ['\u200C', /U\+200C, a zero-width joiner/],
    // Formatting characters that are not default-ignorable, and the blank Braille pattern.
    ['P2\u2800', /U\+2800, a character nobody sees/],
    ['P2\uFFF9', /U\+FFF9, a character nobody sees/],
    ['P2\u0600', /U\+0600, a character nobody sees/],
    ['P2\u{13430}', /U\+13430, a character nobody sees/],
    ['P2\u070F', /U\+070F, a character nobody sees/],
  ])('refuses %j', (code, why) => {
    expect(codeProblem(code)).toMatch(why)
  })
})

describe('normalCode', () => {
  it('trims, and composes letters and accents (NFC)', () => {
    expect(normalCode(' Cafe\u0301\u00A0')).toBe('Caf\u00E9')
    // Arabic alef with madda above, decomposed (alef U+0627 + madda U+0653), is the one letter U+0622.
    expect(normalCode('\u0627\u06531')).toBe('\u06221')
  })
})

describe('shownCode', () => {
  it('escapes what a reader could not see, and keeps the rest as written', () => {
    expect(shownCode('P2\u200B')).toBe('"P2\\u200B"')
    expect(shownCode('P\u2028\u00852')).toBe('"P\\u2028\\u00852"')
    expect(shownCode('P2\u{E0041}')).toBe('"P2\\u{E0041}"')
    expect(shownCode('P\u00A02')).toBe('"P\\u00A02"')
    expect(shownCode('P2\u0301')).toBe('"P2\\u0301"')
    expect(shownCode('P\u200C2')).toBe('"P\\u200C2"')
    expect(shownCode('\u0645\u06CC\u200C\u0631\u0648 \u06F2')).toBe('"\u0645\u06CC\u200C\u0631\u0648 \u06F2"')
  })
})

describe('lookAlikeKey and LookAlikeCodes', () => {
  it.each([
    ['P2', 'p2'],
    ['\uFF30\uFF12', 'P2'],
    ['\u04202', 'P2'],
    ['\u0392\u039F7', 'BO7'],
    ['\u0441ase', 'case'],
    ['\u0639\u0644\u064A\u06F1', '\u0639\u0644\u06CC\u06F1'],
    ['\u0643\u06F1', '\u06A9\u06F1'],
    ['P\u0664', 'P\u06F4'],
    ['PI', 'P1'],
    ['P10', 'P1O'],
    // Found by a review: digits of any script are the same number; a Persian reader reads past
    // the vowel signs, the tatweel and the joiners.
    ['P\u06F2', 'P2'],
    ['P\u06F1\u06F5', 'P15'],
    ['\u0639\u064E\u0644\u06CC\u06F2', '\u0639\u0644\u06CC\u06F2'],
    ['\u0639\u0644\u0640\u06CC\u06F2', '\u0639\u0644\u06CC\u06F2'],
    ['\u0645\u06CC\u200C\u0631\u0648', '\u0645\u06CC\u0631\u0648'],
    // Found by a third review: ae (U+06D5) and heh at a word's end, ۀ and هٔ, alef wasla and alef;
    // digits of a run that follows another run directly (Myanmar Extended-C, U+116D0–116E3).
    ['\u0639\u0644\u06CC\u0647\u06F2', '\u0639\u0644\u06CC\u06D5\u06F2'],
    ['\u062E\u0627\u0646\u0647\u0654\u06F2', '\u062E\u0627\u0646\u06C0\u06F2'],
    ['\u0671\u0631\u0634', '\u0627\u0631\u0634'],
    ['X\u{116DA}', 'X0'],
    ['X\u{116DB}', 'X1'],
  ])('takes %j for %j', (a, b) => {
    expect(lookAlikeKey(a)).toBe(lookAlikeKey(b))
  })

  it.each([
    ['P1', 'P2'],
    ['Caf\u00E9', 'Cafe'],
    // Found by a review: the confusables data gives peh and theh one prototype, and Persian five and heh another.
    ['\u06AF\u0631\u0648\u0647 \u067E-\u06F1', '\u06AF\u0631\u0648\u0647 \u062B-\u06F1'],
    ['\u06AF\u0631\u0648\u0647 \u06F5', '\u06AF\u0631\u0648\u0647 \u0647'],
    ['P\u06F1\u06F5', 'P10'],
    ['\u0645\u06CC\u0631\u0648\u06F1', '\u0645\u06CC\u0631\u0648\u06F2'],
    ['P1', 'P11'],
    ['X\u{116DB}', 'X9'],
  ])('tells %j from %j', (a, b) => {
    expect(lookAlikeKey(a)).not.toBe(lookAlikeKey(b))
  })

  it('gives the code already there that a new one looks like, and keeps the first of each', () => {
    const codes = new LookAlikeCodes(['P1', 'P2'])
    expect(codes.find('p3')).toBeUndefined()
    expect(codes.claim('P3')).toBeUndefined()
    expect(codes.claim('p3')).toBe('P3')
    expect(codes.find('\uFF30\uFF11')).toBe('P1')
    expect(codes.claim('P2')).toBeUndefined()
  })
})

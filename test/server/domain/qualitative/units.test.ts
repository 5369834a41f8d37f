import { describe, it, expect } from 'vitest'
import {
  codePointLength,
  codePointSlicer,
  sliceCodePoints,
  splitUnits,
  startsWithSpeakerLabel,
  toCodePointOffset,
  toUtf16Index,
} from '../../../../server/domain/qualitative/units'
import type { Span } from '../../../../server/domain/qualitative/types'

/** The text of each span, by code points (the definition in types.ts). */
function texts(text: string, spans: Span[]): string[] {
  return spans.map((span) => [...text].slice(span.start, span.end).join(''))
}

/** The message `f` throws with. */
function captured(f: () => unknown): string {
  try {
    f()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('did not throw')
}

describe('code-point helpers', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('')).toBe(0)
    expect(codePointLength('abc')).toBe(3)
    expect(codePointLength('😀')).toBe(1)
    expect('😀'.length).toBe(2)
    // Persian with a zero-width non-joiner (U+200C) in «می‌خواستم»: every letter and the ZWNJ count one.
    expect(codePointLength('می‌خواستم')).toBe(9)
    // A family emoji is several code points joined by ZWJ: each counts, as in the other QDA tools.
    expect(codePointLength('👩‍👩‍👧')).toBe(5)
    expect(codePointLength('سلام 😀')).toBe(6)
  })

  it('slices by code points like [...text].slice', () => {
    const text = 'a😀b سلام 👍🏽!'
    for (let start = 0; start <= codePointLength(text); start++) {
      for (let end = start; end <= codePointLength(text); end++) {
        expect(sliceCodePoints(text, start, end)).toBe([...text].slice(start, end).join(''))
      }
    }
    expect(sliceCodePoints(text, 1)).toBe('😀b سلام 👍🏽!')
    expect(() => sliceCodePoints(text, 2, 1)).toThrow(RangeError)
    expect(() => sliceCodePoints(text, 0, 99)).toThrow(RangeError)
    expect(() => sliceCodePoints(text, -1, 1)).toThrow(RangeError)
    expect(() => sliceCodePoints(text, 0.5, 1)).toThrow(RangeError)
  })

  it('slices one text many times with codePointSlicer exactly as sliceCodePoints does', () => {
    const texts = [
      'a😀b سلام 👍🏽!',
      // Persian only (no surrogate pair: sliced as it is), with a zero-width non-joiner.
      'من از بیماران می‌ترسیدم؟ بله.',
      // Emoji first and last, a ZWJ family, and lone surrogates (each one code point, as codePointLength counts).
      '😀👩‍👩‍👧 x\uD83D y\uDE00z 😀',
      '\uD83D',
      '',
    ]
    for (const text of texts) {
      const slicer = codePointSlicer(text)
      expect(slicer.length).toBe(codePointLength(text))
      for (let start = 0; start <= slicer.length; start++) {
        expect(slicer.slice(start)).toBe(sliceCodePoints(text, start))
        for (let end = start; end <= slicer.length; end++) {
          expect(slicer.slice(start, end)).toBe(sliceCodePoints(text, start, end))
          expect(slicer.slice(start, end)).toBe([...text].slice(start, end).join(''))
        }
      }
      for (const [start, end] of [[2, 1], [0, slicer.length + 1], [-1, 0], [0.5, 1], [0, NaN]] as const) {
        expect(() => slicer.slice(start, end)).toThrow(RangeError)
        expect(() => slicer.slice(start, end)).toThrow(captured(() => sliceCodePoints(text, start, end)))
      }
    }
  })

  it('converts browser (UTF-16) offsets to code points and back', () => {
    const text = '😀 hi 👍🏽 سلام'
    expect(toCodePointOffset(text, 0)).toBe(0)
    expect(toCodePointOffset(text, 3)).toBe(2)
    expect(toUtf16Index(text, 2)).toBe(3)
    expect(toCodePointOffset(text, text.length)).toBe(codePointLength(text))
    expect(toUtf16Index(text, codePointLength(text))).toBe(text.length)
    // Round trip at every character boundary.
    let utf16 = 0
    ;[...text].forEach((char, codePoint) => {
      expect(toCodePointOffset(text, utf16)).toBe(codePoint)
      expect(toUtf16Index(text, codePoint)).toBe(utf16)
      utf16 += char.length
    })
    // The selection of "hi" found with indexOf, in code points.
    const at = text.indexOf('hi')
    const span = { start: toCodePointOffset(text, at), end: toCodePointOffset(text, at + 2) }
    expect(span).toEqual({ start: 2, end: 4 })
    expect(sliceCodePoints(text, span.start, span.end)).toBe('hi')
  })

  it('rejects offsets outside the text or inside a surrogate pair', () => {
    expect(() => toCodePointOffset('😀', 1)).toThrow(/surrogate pair/)
    expect(() => toCodePointOffset('abc', 4)).toThrow(RangeError)
    expect(() => toCodePointOffset('abc', -1)).toThrow(RangeError)
    expect(() => toCodePointOffset('abc', 1.5)).toThrow(RangeError)
    expect(() => toUtf16Index('😀', 2)).toThrow(/past the end/)
    expect(() => toUtf16Index('abc', -1)).toThrow(RangeError)
  })
})

describe('splitUnits: sentences', () => {
  it('matches the documented example', () => {
    const text = 'Interviewer: How was it?\nP3: Good. Really good.'
    expect(splitUnits(text, 'sentence')).toEqual([
      { start: 0, end: 24 },
      { start: 25, end: 34 },
      { start: 35, end: 47 },
    ])
    expect(splitUnits(text, 'turn')).toEqual([
      { start: 0, end: 24 },
      { start: 25, end: 47 },
    ])
  })

  it('splits after . ! ? … followed by whitespace, keeping closing quotes and runs of marks', () => {
    const text = 'It was hard. Was it? Yes!! "I was afraid." (Really.) Wait… then calm'
    expect(texts(text, splitUnits(text, 'sentence'))).toEqual([
      'It was hard.',
      'Was it?',
      'Yes!!',
      '"I was afraid."',
      '(Really.)',
      'Wait…',
      'then calm',
    ])
  })

  it('does not split inside numbers or addresses, but does after an abbreviation (documented heuristic)', () => {
    const text = 'It took 3.5 hours on www.skype.com today. Dr. Ahmadi agreed.'
    expect(texts(text, splitUnits(text, 'sentence'))).toEqual(['It took 3.5 hours on www.skype.com today.', 'Dr.', 'Ahmadi agreed.'])
  })

  it('splits at line breaks (\\n, \\r\\n, \\r) and trims whitespace; never returns empty spans', () => {
    const text = '  First line without stop\r\nsecond line\n\n\n   \n\tthird.  \rfourth  '
    const spans = splitUnits(text, 'sentence')
    expect(texts(text, spans)).toEqual(['First line without stop', 'second line', 'third.', 'fourth'])
    for (const span of spans) expect(span.end).toBeGreaterThan(span.start)
    expect(splitUnits('', 'sentence')).toEqual([])
    expect(splitUnits('   \n\n \t', 'sentence')).toEqual([])
  })

  it('splits Persian at ؟ and ۔ and "." with spans in code points', () => {
    // "Was it hard for you? Yes. I was afraid of being judged 😀" — with an emoji to shift UTF-16 indices.
    const text = 'برای شما سخت بود؟ بله. 😀 می‌ترسیدم قضاوت شوم۔ تمام'
    const spans = splitUnits(text, 'sentence')
    expect(texts(text, spans)).toEqual(['برای شما سخت بود؟', 'بله.', '😀 می‌ترسیدم قضاوت شوم۔', 'تمام'])
    // Offsets are code points: the third sentence starts after 17 + 1 + 4 + 1 = 23 code points.
    expect(spans[2]!.start).toBe(23)
    expect(spans[2]!.end).toBe(23 + codePointLength('😀 می‌ترسیدم قضاوت شوم۔'))
  })

  it('splits after full-width stops even without whitespace', () => {
    const text = '我很害怕。后来好了！真的？是'
    expect(texts(text, splitUnits(text, 'sentence'))).toEqual(['我很害怕。', '后来好了！', '真的？', '是'])
  })

  it('covers the text: units are ordered, disjoint, and only whitespace lies between them', () => {
    const text = 'Interviewer: First? P1: Yes. 👍🏽 Fine!\n\nسلام. خوبم؟\n  last one'
    const spans = splitUnits(text, 'sentence')
    const points = [...text]
    let previousEnd = 0
    for (const span of spans) {
      expect(span.start).toBeGreaterThanOrEqual(previousEnd)
      expect(points.slice(previousEnd, span.start).join('').trim()).toBe('')
      previousEnd = span.end
    }
    expect(points.slice(previousEnd).join('').trim()).toBe('')
  })
})

describe('splitUnits: turns', () => {
  it('recognises speaker labels by the documented rule', () => {
    for (const line of ['Interviewer: How was it?', 'I: So?', 'P3: Good', 'P3:', 'Dr. Ahmadi: yes', 'Participant 3 (nurse): yes', 'مصاحبه‌گر: چطور بود؟', '<v Interviewer>How was it?', '<v.loud Sara Ahmadi>No!', '  P1: indented', 'Ｐ３： full-width colon']) {
      expect(startsWithSpeakerLabel(line), line).toBe(true)
    }
    for (const line of ['10:30 we started', 'https://example.org', 'What I told my colleagues was: no', 'It was good.', ': nothing', 'P3:no space after the colon']) {
      expect(startsWithSpeakerLabel(line), line).toBe(false)
    }
  })

  it('makes one turn per labelled line, continuation lines and paragraphs included', () => {
    const text = [
      'Interview with P3, 12 March 2021',
      '',
      'Interviewer: How was the first session?',
      'P3: It was hard.',
      'I was afraid of being judged.',
      '',
      'Later it got better.',
      'Interviewer: And the leaders?',
      '',
      'P3: They protected me. 😀',
    ].join('\n')
    expect(texts(text, splitUnits(text, 'turn'))).toEqual([
      'Interview with P3, 12 March 2021',
      'Interviewer: How was the first session?',
      'P3: It was hard.\nI was afraid of being judged.\n\nLater it got better.',
      'Interviewer: And the leaders?',
      'P3: They protected me. 😀',
    ])
  })

  it('reads WebVTT voice tags as labels', () => {
    const text = '<v Interviewer>How was it?\n<v P2>Hard at first.\nThen fine.'
    expect(texts(text, splitUnits(text, 'turn'))).toEqual(['<v Interviewer>How was it?', '<v P2>Hard at first.\nThen fine.'])
  })

  it('falls back to blank-line separated paragraphs when no line has a label', () => {
    const text = '\n\nFirst paragraph,\nstill first.\n\n  \nSecond. Two sentences.\r\n\r\nThird 😀\n'
    expect(texts(text, splitUnits(text, 'turn'))).toEqual(['First paragraph,\nstill first.', 'Second. Two sentences.', 'Third 😀'])
    expect(splitUnits('', 'turn')).toEqual([])
  })

  it('gives code-point spans on Persian turns with emoji', () => {
    const text = 'مصاحبه‌گر: تجربه شما چه بود؟ 🙂\nP1: خوب بود.'
    const spans = splitUnits(text, 'turn')
    expect(texts(text, spans)).toEqual(['مصاحبه‌گر: تجربه شما چه بود؟ 🙂', 'P1: خوب بود.'])
    expect(spans[1]!.start).toBe(codePointLength('مصاحبه‌گر: تجربه شما چه بود؟ 🙂\n'))
  })

  it('rejects an unknown unit', () => {
    expect(() => splitUnits('x', 'word' as never)).toThrow(RangeError)
  })
})

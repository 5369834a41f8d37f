import { describe, it, expect } from 'vitest'
import { parseWebVtt, parseWebVttTimestamp } from '../../../../server/domain/qualitative/webvtt'
import { sliceCodePoints, splitUnits } from '../../../../server/domain/qualitative/units'

describe('parseWebVttTimestamp', () => {
  it('reads mm:ss.ttt and hh:mm:ss.ttt', () => {
    expect(parseWebVttTimestamp('00:00.000')).toBe(0)
    expect(parseWebVttTimestamp('02:03.004')).toBe(123_004)
    expect(parseWebVttTimestamp('01:02:03.004')).toBe(3_723_004)
    expect(parseWebVttTimestamp('100:00:00.001')).toBe(360_000_001)
    // The spec's parser takes a one-digit hour (the syntax asks for two).
    expect(parseWebVttTimestamp('1:02:03.004')).toBe(3_723_004)
  })

  it('rejects what the spec rejects', () => {
    for (const bad of ['60:00.000', '00:60.000', '00:00:60.000', '1:02.000', '00:01.00', '00:01.0000', '00:01,000', '00:01', '', 'aa:bb.ccc', '00:00:00:00.000']) {
      expect(() => parseWebVttTimestamp(bad), bad).toThrow(RangeError)
    }
  })
})

describe('parseWebVtt', () => {
  it('matches the documented example: speaker lines, same speaker joined, spans in the text', () => {
    const vtt =
      'WEBVTT\n\n00:01.000 --> 00:04.000\n<v Interviewer>How was it?\n\n' +
      '00:04.500 --> 00:06.000\n<v P3>Good.\n\n00:06.000 --> 00:08.000\n<v P3>Really good.'
    const parsed = parseWebVtt(vtt)
    expect(parsed).toEqual({
      text: 'Interviewer: How was it?\nP3: Good. Really good.',
      cues: [
        { start: 1000, end: 4000, speaker: 'Interviewer', text: 'How was it?', span: { start: 13, end: 24 } },
        { start: 4500, end: 6000, speaker: 'P3', text: 'Good.', span: { start: 29, end: 34 } },
        { start: 6000, end: 8000, speaker: 'P3', text: 'Really good.', span: { start: 35, end: 47 } },
      ],
    })
    // The text splits into the same turns as a typed transcript would.
    expect(splitUnits(parsed.text, 'turn').map((s) => sliceCodePoints(parsed.text, s.start, s.end))).toEqual([
      'Interviewer: How was it?',
      'P3: Good. Really good.',
    ])
  })

  it('reads a realistic file: BOM, header text and metadata, identifiers, NOTE/STYLE/REGION, settings, CRLF', () => {
    const vtt = [
      '\uFEFFWEBVTT - Interview P2 (Teams export)',
      'Kind: captions',
      'Language: fa',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'REGION',
      'id:fred width:40%',
      '',
      'NOTE This file was exported',
      'on two lines',
      '',
      'b7c1-1',
      '00:00:01.000 --> 00:00:03.500 align:start position:10%',
      '<v Interviewer>What was your experience',
      'of the virtual Balint group?</v>',
      '',
      'NOTE',
      'a comment between cues',
      '',
      'b7c1-2',
      '00:00:04.000 --> 00:00:07.250',
      '<v.loud P2>It was <i>hard</i> at first &amp; then <b>fine</b>.</v>',
      '',
      '3',
      '00:00:07.250 --> 00:00:09.000',
      '<v P2><c.highlight>I could join</c> from my room.</v>',
      '',
    ].join('\r\n')
    const parsed = parseWebVtt(vtt)
    expect(parsed.text).toBe(
      'Interviewer: What was your experience of the virtual Balint group?\n' +
        'P2: It was hard at first & then fine. I could join from my room.',
    )
    expect(parsed.cues.map((c) => [c.start, c.end, c.speaker, c.text])).toEqual([
      [1000, 3500, 'Interviewer', 'What was your experience of the virtual Balint group?'],
      [4000, 7250, 'P2', 'It was hard at first & then fine.'],
      [7250, 9000, 'P2', 'I could join from my room.'],
    ])
    for (const cue of parsed.cues) expect(sliceCodePoints(parsed.text, cue.span.start, cue.span.end)).toBe(cue.text)
  })

  it('keeps cues without a voice on lines of their own and does not join them', () => {
    const parsed = parseWebVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nHello there.\n\n00:02.000 --> 00:03.000\n- How are you?\n- Fine.')
    expect(parsed.text).toBe('Hello there.\n- How are you? - Fine.')
    expect(parsed.cues.map((c) => c.speaker)).toEqual([null, null])
  })

  it('reads a Zoom transcript, whose cues start with "Name: " instead of a voice tag', () => {
    const vtt = [
      'WEBVTT',
      '',
      '1',
      '00:00:01.120 --> 00:00:04.500',
      'Iman Ghasemi: What was interesting for you in the virtual group?',
      '',
      '2',
      '00:00:05.000 --> 00:00:08.000',
      'P4: I kept quiet until the end of the session,',
      '',
      '3',
      '00:00:08.000 --> 00:00:10.000',
      'P4: and no one reacted to me!',
      '',
      '4',
      '00:00:10.000 --> 00:00:11.000',
      'At 10:30 the call dropped.',
    ].join('\n')
    const parsed = parseWebVtt(vtt)
    expect(parsed.text).toBe(
      'Iman Ghasemi: What was interesting for you in the virtual group?\n' +
        'P4: I kept quiet until the end of the session, and no one reacted to me!\n' +
        'At 10:30 the call dropped.',
    )
    expect(parsed.cues.map((c) => c.speaker)).toEqual(['Iman Ghasemi', 'P4', 'P4', null])
    for (const cue of parsed.cues) expect(sliceCodePoints(parsed.text, cue.span.start, cue.span.end)).toBe(cue.text)
  })

  it('splits a cue with several voices, and a voice change starts a new line', () => {
    const parsed = parseWebVtt(
      'WEBVTT\n\n00:01.000 --> 00:05.000\n<v Interviewer>Was it secure?</v>\n<v P1>Yes, secure.</v>\n\n' +
        '00:05.000 --> 00:06.000\n<v P1>Very.\n\n00:06.000 --> 00:07.000\n<v Interviewer>Thank you.',
    )
    expect(parsed.text).toBe('Interviewer: Was it secure?\nP1: Yes, secure. Very.\nInterviewer: Thank you.')
    expect(parsed.cues.map((c) => [c.start, c.speaker, c.text])).toEqual([
      [1000, 'Interviewer', 'Was it secure?'],
      [1000, 'P1', 'Yes, secure.'],
      [5000, 'P1', 'Very.'],
      [6000, 'Interviewer', 'Thank you.'],
    ])
  })

  it('places Persian and emoji cues in code points', () => {
    const parsed = parseWebVtt(
      'WEBVTT\n\n00:01.000 --> 00:02.000\n<v مصاحبه‌گر>تجربه شما چه بود؟ 🙂\n\n' +
        '00:02.000 --> 00:04.000\n<v P5>خوب بود 👍🏽\n\n00:04.000 --> 00:05.000\n<v P5>واقعاً.',
    )
    expect(parsed.text).toBe('مصاحبه‌گر: تجربه شما چه بود؟ 🙂\nP5: خوب بود 👍🏽 واقعاً.')
    for (const cue of parsed.cues) expect(sliceCodePoints(parsed.text, cue.span.start, cue.span.end)).toBe(cue.text)
    // The last cue starts after "P5: خوب بود 👍🏽 " on the second line, counted in code points.
    expect(parsed.cues[2]!.span.start).toBe([...'مصاحبه‌گر: تجربه شما چه بود؟ 🙂\nP5: خوب بود 👍🏽 '].length)
  })

  it('decodes character references, strips inner timestamps and ruby, collapses whitespace, drops empty cues', () => {
    const parsed = parseWebVtt(
      'WEBVTT\n\n00:01.000 --> 00:02.000\n<v A&amp;B>x &lt;y&gt; &#1587;&#x644;&nbsp;z &unknown; <00:01.500>later <ruby>漢<rt>kan</rt></ruby>\n\n' +
        '00:02.000 --> 00:03.000\n<i></i>\n\n00:03.000 --> 00:04.000\n   spaced    out   ',
    )
    // &nbsp; decodes to U+00A0, which the whitespace tidying turns into a plain space.
    expect(parsed.text).toBe('A&B: x <y> سل z &unknown; later 漢kan\nspaced out')
    expect(parsed.cues).toHaveLength(2)
  })

  it('accepts a cue right after the header line and a header with only "WEBVTT"', () => {
    expect(parseWebVtt('WEBVTT\n00:01.000 --> 00:02.000\nHi').text).toBe('Hi')
    expect(parseWebVtt('WEBVTT').text).toBe('')
    expect(parseWebVtt('WEBVTT\tcomment\n\n\n').cues).toEqual([])
  })

  it('starts a new cue at a "-->" line inside a payload, as the spec\'s block collection does', () => {
    const parsed = parseWebVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n00:02.000 --> 00:03.000\nsecond')
    expect(parsed.cues.map((c) => [c.start, c.text])).toEqual([
      [1000, 'first'],
      [2000, 'second'],
    ])
  })

  it('throws a RangeError with the line number for an invalid file', () => {
    expect(() => parseWebVtt('')).toThrow(/^Line 1:/)
    expect(() => parseWebVtt('WEBVTTX\n\n00:01.000 --> 00:02.000\nHi')).toThrow(/Line 1: a WebVTT file starts with "WEBVTT"/)
    expect(() => parseWebVtt('1\n00:00:01,000 --> 00:00:02,000\nAn SRT file')).toThrow(RangeError)
    expect(() => parseWebVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:01.00 --> 00:02.000\nbad')).toThrow(/^Line 6: "00:01.00" is not a WebVTT timestamp/)
    expect(() => parseWebVtt('WEBVTT\n\nid\n00:03.000 --> 00:61.000\nbad')).toThrow(/^Line 4: .*above 59/)
    expect(() => parseWebVtt('WEBVTT\n\n00:03.000 --> 00:02.000\nbackwards')).toThrow(/^Line 3: the cue ends/)
    expect(() => parseWebVtt('WEBVTT\n\n00:03.000 00:04.000\nno arrow')).toThrow(/^Line 3: expected cue timings/)
    expect(() => parseWebVtt('WEBVTT\n\n00:03.000 -->\nno end')).toThrow(/^Line 3: .*not a cue timing line/)
    expect(() => parseWebVtt('WEBVTT\r\n\r\njust some text\r\nwithout timings')).toThrow(/^Line 3: expected cue timings/)
    try {
      parseWebVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:01.00 --> 00:02.000\nbad')
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError)
    }
  })
})

/** A participant with something in every part of the platform, for the tests of "delete my answers". */
import { expect } from 'vitest'
import type { Deps } from '../../server/domain/deps'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings } from '../../server/domain/qualitative/coding'
import { setWave } from '../../server/domain/staff/setup'
import { jsonRequest } from './app'
import { codingStudy, spanOf } from './qualitative'

/** What P1 says in the interview, and what must be gone after deletion. */
export const interviewWords = 'I was afraid the head of department would read this. '

/**
 * A coding study's P1 who consents, completes PHQ-9 at the pre wave with item 9 above 0 (a safety
 * flag), is interviewed (`interviewWords` said `repeat` times) and coded with one code.
 * Returns the study (see `codingStudy`), P1, the transcript's text and the code.
 */
export async function participantWithEverything(deps: Deps, app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, repeat = 200) {
  const text = `Interviewer: How was it?\nP1: ${interviewWords.repeat(repeat)}`
  const study = await codingStudy(deps, [text])
  await setWave(deps, { cohortId: study.cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const p1 = study.participants[0]!
  expect((await app.request(`/api/p/${p1.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  const phq = Object.fromEntries([2, 2, 2, 2, 2, 1, 1, 1, 1].map((v, i) => [`phq9_${i + 1}`, v]))
  expect((await app.request(`/api/p/${p1.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq, clientId: 'submit-0001' }))).status).toBe(200)
  const code = await createCode(deps, study.study.id, { level: 'code', name: 'Fear of officials' }, `staff:${study.coderA.id}`)
  await addCodings(deps, study.transcripts[0]!, study.coderA.id, { codeIds: [code.id], ...spanOf(text, interviewWords.trim()) })
  return { study, p1, text, code }
}

/**
 * What a participant sees of their own results at their link, once they have completed the post
 * questionnaires and the study has turned feedback on: their scores and bands before and after, in
 * plain words, without p-values. When a score got worse or an answer raised a safety flag, a
 * sentence of support with the study's contact goes with it.
 */
import type { ParticipantFeedback } from '../../contracts/participant'
import type { Participant } from '../../db/repositories/participants'
import { listCompletedResponses } from '../../db/repositories/report-data'
import { listFlagsOfParticipant } from '../../db/repositories/responses'
import { listWaves } from '../../db/repositories/studies'
import type { Deps } from '../deps'
import { ownChange } from '../outcomes/own-report'

export async function participantFeedback(deps: Deps, participant: Participant, supportContact: string | null): Promise<ParticipantFeedback | null> {
  const waves = await listWaves(deps.db, participant.cohortId)
  const pre = waves.find((w) => w.kind === 'pre')
  const post = waves.find((w) => w.kind === 'post')
  if (!pre || !post) return null
  // Their own rows, not the cohort's report: the same figures (see ownChange), in milliseconds.
  const mine = await ownChange(deps, participant, await listCompletedResponses(deps.db, { participantIds: [participant.id] }), pre, post)
  // Only once every post questionnaire is done: a half-finished set would be misleading.
  const postDone = post.instruments.every((id) => mine.some((s) => s.row.instrument === id && s.row.post !== null))
  if (mine.length === 0 || !postDone) return null

  const scales: ParticipantFeedback['scales'] = []
  for (const { row: s, scale: spec, rci } of mine) {
    if (s.pre === null || s.post === null) continue
    const worseSign = spec.direction === 'higher-is-worse' ? 1 : -1
    // Reliable change where it can be computed; otherwise any difference beyond 10% of the range.
    const threshold = rci?.reliableChangePoints ?? (spec.range.max - spec.range.min) / 10
    const delta = (s.post - s.pre) * worseSign
    scales.push({
      instrument: s.instrument,
      label: `${spec.instrumentTitle}: ${spec.label}`,
      direction: spec.direction,
      range: spec.range,
      pre: s.pre,
      post: s.post,
      bandPre: s.bandPre,
      bandPost: s.bandPost,
      change: delta > threshold ? 'worse' : delta < -threshold ? 'better' : 'about the same',
    })
  }
  const flagged = (await listFlagsOfParticipant(deps.db, participant.id)).some((f) => f.severity === 'safety')
  const worse = scales.some((s) => s.change === 'worse')
  return { scales, support: flagged ? { reason: 'flag', contact: supportContact } : worse ? { reason: 'worse', contact: supportContact } : null }
}


/**
 * Re-scoring stored responses. A scale's score is computed once, when a questionnaire is completed
 * (or corrected), and stored with it (`scale_score`): reports read it from there. When an
 * instrument's scoring rule is found wrong and its file is mended (for example the CBI's
 * work-related scale, which needs 4 of its 7 items: Kristensen et al., the PUMA scoring text), the
 * scores stored before the mend keep the old rule until they are computed again. `rescoreResponses`
 * does that: it recomputes every complete questionnaire response from its stored answers with the
 * scoring of the instrument version it was answered on, and reports what would change; with
 * `apply`, it stores the new scores, in one transaction, and audits each changed response (which
 * scales changed, never the scores: the audit log holds no answers or scores).
 *
 * Only scale scores are replaced. Safety flags raised by the old rule are left as they are (a flag
 * once raised has been seen, notified and perhaps acknowledged; it is never withdrawn by a re-score),
 * and a flag the new rule raises is not added: the summary counts both, for the team to look at.
 */
import type { Kysely } from 'kysely'
import { insertAudit } from '../../db/repositories/audit'
import { batches } from '../../db/batch'
import { replaceScaleScores } from '../../db/repositories/responses'
import type { Database } from '../../db/schema'
import type { Deps } from '../deps'
import { scoreResponse } from './scoring'
import { groupBy } from '../collections'

/** A scale whose stored score differs from the score computed now. */
export type ScoreChange = {
  responseId: string
  participantId: string
  scale: string
  /** Stored: score (null when too few items were answered), its band's index, answered items. */
  before: { score: number | null; bandIndex: number | null; answered: number } | null
  /** Computed now from the stored answers. */
  after: { score: number | null; bandIndex: number | null; answered: number } | null
}

/** Per instrument version: responses looked at, responses whose scores change, and the changes. */
export type RescoreSummary = {
  applied: boolean
  instruments: {
    instrument: string
    version: string
    responses: number
    changedResponses: number
    /** Flags the current rule would raise that are not stored, and stored flags it would not raise. */
    flagsNotRaised: number
    flagsNoLongerMet: number
    changes: ScoreChange[]
  }[]
}

/** Scores within this distance are equal (floating-point sums in a different order). */
const tolerance = 1e-9

const same = (a: ScoreChange['before'], b: ScoreChange['after']) =>
  a !== null && b !== null && a.answered === b.answered && a.bandIndex === b.bandIndex && (a.score === null ? b.score === null : b.score !== null && Math.abs(a.score - b.score) <= tolerance)

/**
 * Recompute the stored scale scores of every complete questionnaire response (of `instrument` only,
 * when given) with its instrument version's current scoring; store the changes when `apply` is true.
 *
 * @returns per instrument version, what differs (nothing is written unless `apply`).
 * @throws Error when a stored response's instrument version is not loaded (its file is needed to score it).
 */
export async function rescoreResponses(deps: Deps, options: { instrument?: string; apply: boolean }, actor: string): Promise<RescoreSummary> {
  const run = async (db: Kysely<Database>): Promise<RescoreSummary> => {
    let query = db
      .selectFrom('response')
      .select(['id', 'participant_id', 'instrument_id', 'instrument_version', 'answers'])
      .where('status', '=', 'complete')
      .orderBy('instrument_id')
      .orderBy('instrument_version')
      .orderBy('id')
    if (options.instrument) query = query.where('instrument_id', '=', options.instrument)
    const responses = await query.execute()
    const byVersion = new Map<string, RescoreSummary['instruments'][number]>()
    const now = deps.now()
    for (const batch of batches(responses, 500)) {
      const ids = batch.map((r) => r.id)
      const stored = await db.selectFrom('scale_score').selectAll().where('response_id', 'in', ids).execute()
      const flags = await db.selectFrom('response_flag').select(['response_id', 'flag_id']).where('response_id', 'in', ids).execute()
      const scoresOf = groupBy(stored, (s) => s.response_id)
      const flagsOf = groupBy(flags, (f) => f.response_id)
      for (const response of batch) {
        const instrument = deps.instruments.get(response.instrument_id, response.instrument_version)
        if (!instrument) throw new Error(`instrument ${response.instrument_id}@${response.instrument_version} is not loaded: its file is needed to score its responses`)
        if (instrument.kind !== 'questionnaire') continue
        const key = `${response.instrument_id}@${response.instrument_version}`
        let entry = byVersion.get(key)
        if (!entry) byVersion.set(key, (entry = { instrument: response.instrument_id, version: response.instrument_version, responses: 0, changedResponses: 0, flagsNotRaised: 0, flagsNoLongerMet: 0, changes: [] }))
        entry.responses++
        const computed = scoreResponse(instrument, JSON.parse(response.answers) as Record<string, unknown>)
        const before = new Map((scoresOf.get(response.id) ?? []).map((s) => [s.scale_id, { score: s.score, bandIndex: s.band_index, answered: s.answered }]))
        const after = new Map(computed.scales.map((s) => [s.scale, { score: s.score, bandIndex: s.band?.index ?? null, answered: s.answered }]))
        const changes: ScoreChange[] = []
        for (const scale of new Set([...before.keys(), ...after.keys()])) {
          const b = before.get(scale) ?? null
          const a = after.get(scale) ?? null
          if (!same(b, a)) changes.push({ responseId: response.id, participantId: response.participant_id, scale, before: b, after: a })
        }
        const storedFlags = new Set((flagsOf.get(response.id) ?? []).map((f) => f.flag_id))
        const raisedNow = new Set(computed.flags.map((f) => f.flag))
        entry.flagsNotRaised += [...raisedNow].filter((f) => !storedFlags.has(f)).length
        entry.flagsNoLongerMet += [...storedFlags].filter((f) => !raisedNow.has(f)).length
        if (changes.length === 0) continue
        entry.changedResponses++
        entry.changes.push(...changes)
        if (!options.apply) continue
        await replaceScaleScores(db, response.id, computed.scales)
        await insertAudit(
          db,
          { actor, action: 'response.rescore', entity: 'response', entityId: response.id, details: { participantId: response.participant_id, instrument: key, scales: changes.map((c) => c.scale) } },
          now,
        )
      }
    }
    return { applied: options.apply, instruments: [...byVersion.values()] }
  }
  return options.apply ? deps.db.transaction().execute(run) : run(deps.db)
}

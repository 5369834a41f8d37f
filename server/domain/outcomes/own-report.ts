/**
 * One participant's own results, computed from their own rows: their scores at each wave, and their
 * change from one wave to another with reliable change, exactly as the cohort report has them, without
 * computing the cohort's report (at 10,000 participants that took seconds; issue 16).
 *
 * Where a scale's reliable change rests on the sample (the instrument gives no SD or no reliability:
 * the GAD-7's SD, the CBI), the threshold is the cohort's: the pre SD and Cronbach's α of the complete
 * pairs. Then only that instrument's responses at the two waves are read, and the same functions as the
 * cohort report's compute it, in the same participant order, so the numbers are identical.
 */
import { listCompletedResponses, placeParticipants, readReport, type ScoredResponse } from '../../db/repositories/report-data'
import { findParticipant, type Participant } from '../../db/repositories/participants'
import { listFlagsOfParticipant } from '../../db/repositories/responses'
import { listWaves, type Wave } from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import { jacobsonTruaxCutoff } from '../../stats'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import type { Instrument } from '../instruments/registry'
import type { Questionnaire, ScaleSpec } from '../instruments/schema'
import { plainText } from '../instruments/text'
import {
  completePairs,
  pairedAlpha,
  participantScale,
  placedScores,
  placeForms,
  rciNeedsSample,
  reliableChangeBasis,
  scaleItems,
  sharedInstruments,
  type PlacedForm,
  type ParticipantScale,
  type ScaleReport,
} from './report'

/** One scale of a participant's change: their row as in the cohort report, the scale, and the reliable-change basis (null when they have no change). */
export type OwnScale = {
  row: ParticipantScale
  scale: Pick<ScaleReport, 'instrumentTitle' | 'label' | 'direction' | 'range'>
  rci: ScaleReport['rci']
}

/**
 * A participant's change from `from` to `to` on every scale of the instruments asked at both, in the
 * cohort report's order (instruments as asked at `from`, scales as the instrument lists them), given
 * their own completed responses (`own`). Equal to their row of `cohortReport(…, { from, to })`.
 */
export async function ownChange(deps: Deps, participant: Participant, own: ScoredResponse[], from: Wave, to: Wave): Promise<OwnScale[]> {
  const mine = (wave: Wave, instrumentId: string) => own.find((r) => r.waveId === wave.id && r.instrumentId === instrumentId)
  const result: OwnScale[] = []
  for (const instrumentId of sharedInstruments(from, to)) {
    const instrument = deps.instruments.questionnaire(instrumentId) as (Instrument & Questionnaire) | undefined
    if (!instrument) continue
    const mineFrom = mine(from, instrumentId)
    const mineTo = mine(to, instrumentId)
    let sample: { count: number; forms: ReturnType<typeof placeForms> } | undefined
    for (const [scaleIndex, spec] of instrument.scoring.scales.entries()) {
      const preScore = mineFrom?.scores.find((s) => s.scale === spec.id)
      const postScore = mineTo?.scores.find((s) => s.scale === spec.id)
      if (!preScore && !postScore) continue
      let rci: ScaleReport['rci'] = null
      if (typeof preScore?.score === 'number' && typeof postScore?.score === 'number') {
        if (rciNeedsSample(spec)) {
          // Answers only where α is computed from them (at the first wave); scores alone otherwise.
          const needsAnswers = instrument.scoring.scales.some((s) => rciNeedsSample(s) && !s.psychometrics.reliability)
          const items = needsAnswers ? scaleItems(instrument) : []
          // The cohort report's own statements and placing (report-data's readReport), for the cohort and this instrument's two forms.
          const scales = instrument.scoring.scales.map((s) => s.id)
          if (!sample) {
            const read = readReport(deps.db, [participant.cohortId], [
              { waveId: from.id, waveKind: from.kind, instrumentId, scales, items },
              { waveId: to.id, waveKind: to.kind, instrumentId, scales, items: [] },
            ])
            const cohort = (await read.participants).participants
            sample = { count: cohort.length, forms: placeForms(await Promise.all(read.forms), placeParticipants(cohort, [participant.cohortId]).placeOfRow, cohort.length, (f) => f.request.waveId) }
          }
          rci = sampleBasis(spec, scaleIndex, sample.forms.get(from.id)?.get(instrumentId), sample.forms.get(to.id)?.get(instrumentId), from.kind, sample.count)
        } else {
          rci = reliableChangeBasis(spec, [], () => null, from.kind).rci
        }
      }
      const cutoff = jacobsonTruaxCutoff({ direction: spec.direction, clinical: spec.psychometrics.clinical, normative: spec.psychometrics.normative })
      result.push({
        row: participantScale(instrumentId, spec, preScore, postScore, rci, cutoff)!,
        scale: { instrumentTitle: plainText(instrument.title), label: plainText(spec.label), direction: spec.direction, range: spec.range },
        rci,
      })
    }
  }
  return result
}

/** The reliable-change basis of a scale (the `scaleIndex`th of its instrument) from the cohort's complete pairs, as the cohort report computes it. */
function sampleBasis(spec: ScaleSpec, scaleIndex: number, fromForm: PlacedForm | undefined, toForm: PlacedForm | undefined, fromKind: WaveKind, participantCount: number): ScaleReport['rci'] {
  const pairs = completePairs(placedScores(fromForm, scaleIndex, participantCount), placedScores(toForm, scaleIndex, participantCount))
  return reliableChangeBasis(spec, pairs.pre, () => pairedAlpha(spec, fromForm, pairs.places), fromKind).rci
}

export type ParticipantReport = {
  participant: { id: string; code: string; status: string; cohortId: string }
  waves: { kind: WaveKind; scores: { instrument: string; scale: string; label: string; score: number | null; band: string | null }[] }[]
  /** Change from the first wave to each later wave, with RCI and classification as in the cohort report. */
  changes: { from: WaveKind; to: WaveKind; scales: ParticipantScale[] }[]
  flags: { wave: WaveKind | null; instrument: string; flag: string; label: string; item: string; value: number; severity: string }[]
}

/** One participant across all waves: scores, bands, change, reliable change and flags. Throws not_found. */
export async function participantReport(deps: Deps, participantId: string): Promise<ParticipantReport> {
  const participant = await findParticipant(deps.db, participantId)
  if (!participant) throw new ApiError('not_found', 'No such participant.')
  const waves = await listWaves(deps.db, participant.cohortId)
  const responses = await listCompletedResponses(deps.db, { participantIds: [participantId] })
  const kindOf = new Map(waves.map((w) => [w.id, w.kind]))
  const labelOf = (instrumentId: string, scaleId: string) => {
    const spec = deps.instruments.questionnaire(instrumentId)?.scoring.scales.find((s) => s.id === scaleId)
    return spec ? { label: plainText(spec.label), bands: spec.bands } : { label: scaleId, bands: [] }
  }
  const changes: ParticipantReport['changes'] = []
  const [first, ...later] = waves
  for (const wave of first ? later : []) {
    const scales = await ownChange(deps, participant, responses, first!, wave)
    changes.push({ from: first!.kind, to: wave.kind, scales: scales.map((s) => s.row).filter((s) => s.change !== null) })
  }
  return {
    participant: { id: participant.id, code: participant.code, status: participant.status, cohortId: participant.cohortId },
    waves: waves.map((w) => ({
      kind: w.kind,
      scores: responses
        .filter((r) => r.waveId === w.id)
        .flatMap((r) =>
          r.scores.map((s) => {
            const { label, bands } = labelOf(r.instrumentId, s.scale)
            return { instrument: r.instrumentId, scale: s.scale, label, score: s.score, band: s.bandIndex === null || !bands[s.bandIndex] ? null : plainText(bands[s.bandIndex]!.label) }
          }),
        ),
    })),
    changes,
    flags: (await listFlagsOfParticipant(deps.db, participantId)).map((f) => {
      const spec = deps.instruments.questionnaire(f.instrument)?.scoring.flags.find((x) => x.id === f.flag)
      return { ...f, label: spec ? plainText(spec.label) : f.flag, wave: f.waveId ? (kindOf.get(f.waveId) ?? null) : null }
    }),
  }
}

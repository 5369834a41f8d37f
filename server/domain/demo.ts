/**
 * The demo study a newcomer can look at and try at once. Its data are invented, made by a seeded
 * generator, and the study's name says "Demo": nothing here is anyone's real answer.
 *
 * - "Demo group A (completed)": 12 participants who consented, answered the demographics and the pre
 *   and post questionnaires, and attended group sessions, so the reports have something to show.
 * - "Demo group B (try the links)": 8 participants with personal links, pre and post open now.
 */
import { insertAudit } from '../db/repositories/audit'
import { insertConsent, insertParticipants, updateParticipantStatus } from '../db/repositories/participants'
import { insertResponse, replaceScores } from '../db/repositories/responses'
import { listGroupSessions, upsertAttendance } from '../db/repositories/studies'
import type { Deps } from './deps'
import { addParticipants, createCohort, createStudy, setWave, type Actor } from './setup'
import { scoreResponse } from './scoring'

const instruments = ['phq-9', 'gad-7', 'who-5', 'cbi']
const day = 24 * 3600 * 1000

/** mulberry32: a small seeded generator, so every demo holds the same invented data. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v))
const pick = <T,>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!
/** Roughly normal noise (sum of uniforms), mean 0 and SD about `sd`. */
const noise = (random: Random, sd: number) => (random() + random() + random() - 1.5) * 2 * sd

/** Answers of one person at one wave, from a latent burden between 0 (none) and 1 (severe). */
function answersFor(instrument: string, burden: number, random: Random): Record<string, number> {
  const scaled = (max: number, step = 1) => Math.round(clamp((burden + noise(random, 0.18)) * max, 0, max) / step) * step
  switch (instrument) {
    case 'phq-9':
      return { ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? (burden > 0.75 && random() < 0.5 ? 1 : 0) : scaled(3)])), phq9_difficulty: scaled(3) }
    case 'gad-7':
      return { ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`gad7_${i + 1}`, scaled(3)])), gad7_difficulty: scaled(3) }
    case 'who-5':
      // Higher is better: well-being falls as the burden rises.
      return Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`who5_${i + 1}`, 5 - scaled(5)]))
    case 'cbi': {
      const items = [...Array.from({ length: 6 }, (_, i) => `cbi_p${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `cbi_w${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `cbi_c${i + 1}`)]
      // cbi_w7 ("enough energy for family and friends") is reversed: high burden, low value.
      return Object.fromEntries(items.map((item) => [item, item === 'cbi_w7' ? 100 - scaled(100, 25) : scaled(100, 25)]))
    }
    default:
      throw new Error(`no demo answers for ${instrument}`)
  }
}

function demographicsFor(random: Random): Record<string, unknown> {
  const role = pick(random, ['physician', 'physician', 'resident', 'nurse', 'nurse', 'medical_student', 'anaesthesia_technician'] as const)
  const age = role === 'medical_student' ? 22 + Math.floor(random() * 5) : 27 + Math.floor(random() * 30)
  return {
    age,
    sex: pick(random, ['female', 'female', 'male', 'male', 'prefer_not_to_say']),
    marital_status: pick(random, ['single', 'married', 'married', 'divorced_or_separated']),
    role,
    years_in_practice: role === 'medical_student' ? 0 : Math.round(clamp(age - 26 + noise(random, 2), 0.5, 40) * 2) / 2,
    workplace: pick(random, ['intensive_care', 'emergency_department', 'covid19_ward', 'covid19_ward', 'other_hospital_ward']),
    sleep_hours: Math.round(clamp(6 + noise(random, 1), 3, 9) * 2) / 2,
  }
}

/** Twelve participants who went through the whole program: consent, demographics, pre, sessions, post. */
async function completedCohort(deps: Deps, studyId: string, actor: Actor) {
  const now = deps.now()
  const iso = (offset: number) => new Date(now.getTime() + offset * day).toISOString().slice(0, 10)
  const cohort = await createCohort(
    deps,
    {
      studyId,
      name: 'Demo group A (completed)',
      leader: 'Group leader (psychiatrist, analytical psychotherapist)',
      coLeaders: ['Co-leader (clinical psychologist)', 'Co-leader (psychiatrist)'],
      firstSession: new Date(now.getTime() - 31 * day),
    },
    actor,
  )
  const pre = await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: iso(-38), closes: iso(-32), instruments }, actor)
  const post = await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: iso(-4), closes: iso(10), instruments }, actor)
  const random = seeded(20200428)
  const consent = deps.instruments.get('consent')!
  const demographics = deps.instruments.get('demographics')!
  const sessions = await listGroupSessions(deps.db, cohort.id)

  await deps.db.transaction().execute(async (trx) => {
    const participants = await insertParticipants(trx, cohort.id, { codes: Array.from({ length: 12 }, (_, i) => `P${i + 1}`), source: 'demo' }, now)
    for (const [index, p] of participants.entries()) {
      const at = (offset: number) => new Date(now.getTime() + (offset + index * 0.1) * day)
      await insertConsent(trx, { participantId: p.id, instrumentId: consent.id, instrumentVersion: consent.version, decision: 'agree', answers: { consent: 'agree' } }, at(-37))
      await updateParticipantStatus(trx, p.id, 'active', now)
      const base = { participantId: p.id, status: 'complete' as const, revision: 1, clientId: null, source: 'demo' as const }
      await insertResponse(trx, { ...base, waveId: null, instrumentId: demographics.id, instrumentVersion: demographics.version, answers: demographicsFor(random), completedAt: at(-37).toISOString() }, at(-37))
      // Front-line clinicians under strain at baseline; most feel somewhat better after the group.
      const burden = clamp(0.35 + noise(random, 0.2), 0.05, 0.95)
      const attended = 8 - Math.floor(random() * random() * 5)
      const after = clamp(burden - (0.01 + 0.012 * attended) + noise(random, 0.12), 0, 1)
      for (const [wave, level, offset] of [[pre, burden, -36], [post, after, -2]] as const) {
        for (const id of instruments) {
          const instrument = deps.instruments.questionnaire(id)!
          const answers = answersFor(id, level, random)
          const response = await insertResponse(trx, { ...base, waveId: wave.id, instrumentId: id, instrumentVersion: instrument.version, answers, completedAt: at(offset).toISOString() }, at(offset))
          await replaceScores(trx, response.id, scoreResponse(instrument, answers), at(offset))
        }
      }
      const present = sessions.map((_, i) => i < attended)
      for (const [i, session] of sessions.entries()) await upsertAttendance(trx, session.id, [{ participantId: p.id, present: present[i]! }], now)
    }
    await insertAudit(trx, { actor, action: 'demo.create', entity: 'cohort', entityId: cohort.id, details: { participants: 12, invented: true } }, now)
  })
  return cohort
}

/** The demo study: one completed cohort to read reports from, one with links to try. */
export async function createDemo(deps: Deps, actor: Actor) {
  const now = deps.now()
  const iso = (offset: number) => new Date(now.getTime() + offset * day).toISOString().slice(0, 10)
  const study = await createStudy(deps, { name: 'Demo: online Balint groups for front-line clinicians' }, actor)
  const completed = await completedCohort(deps, study.id, actor)
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Demo group B (try the links)', leader: 'Group leader (psychiatrist)' }, actor)
  const pre = await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: iso(-1), closes: iso(28), instruments }, actor)
  const post = await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: iso(-1), closes: iso(56), instruments }, actor)
  const participants = await addParticipants(deps, { cohortId: cohort.id, count: 8 }, actor)
  return { study, completedCohort: completed, cohort, waves: [pre, post], participants }
}

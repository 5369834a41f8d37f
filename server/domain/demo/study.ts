/**
 * The demo study a newcomer can look at and try at once. Its data are invented, made by a seeded
 * generator, and the study's name says "Demo": nothing here is anyone's real answer.
 *
 * - "Demo group A (completed)": 12 participants who consented, answered the demographics and the pre
 *   and post questionnaires, and attended group sessions, so the reports have something to show.
 *   P1–P8 were interviewed after the last session; the transcripts (written for this project, see
 *   demo/interviews.ts) are coded by two coders, with a codebook and Table 2 quotations, so the
 *   qualitative analyses (Table 2, saturation, agreement, the joint display) show at once.
 * - "Demo group B (try the links)": 8 participants with personal links, pre and post open now.
 */
import { defaultCodeColour } from '../qualitative/code-colours'
import { insertAudit } from '../../db/repositories/audit'
import { insertCode, insertCodeHistory, type Code } from '../../db/repositories/codebook'
import { insertCoding, insertMemberCheck, insertQuote, type Coding, type MemberCheck, type Table2Quote } from '../../db/repositories/codings'
import { insertInterview, updateInterview, upsertTranscript, type Interview, type Transcript } from '../../db/repositories/interviews'
import { insertConsent, insertParticipants, listParticipants, updateParticipantStatus } from '../../db/repositories/participants'
import { insertResponse, replaceScores } from '../../db/repositories/responses'
import { insertStaffUser, type StaffUser } from '../../db/repositories/staff'
import { listGroupSessions, upsertAttendance } from '../../db/repositories/studies'
import { unusablePasswordHash } from '../staff/auth'
import { demoCodebook, demoInterviews, type DemoCodeKey } from './interviews'
import type { Deps } from '../deps'
import { defaultGuideId, transcriptText } from '../qualitative/interviews'
import { codePointLength, sliceCodePoints } from '../qualitative/units'
import { addParticipants, createCohort, createStudy, setWave, type Actor } from '../staff/setup'
import { scoreResponse } from '../instruments/scoring'

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
      firstSession: iso(-31),
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

/** Code-point span of `phrase` in `text`, which must hold it exactly once (the demo's data are checked as they are written). */
function spanIn(text: string, phrase: string, where: string): { start: number; end: number } {
  const at = text.indexOf(phrase)
  if (at < 0 || text.indexOf(phrase, at + 1) >= 0) throw new Error(`demo ${where}: "${phrase}" must occur exactly once in the transcript`)
  const start = codePointLength(text.slice(0, at))
  return { start, end: start + codePointLength(phrase) }
}

export type DemoQualitative = {
  staff: { interviewer: StaffUser; coderA: StaffUser; coderB: StaffUser }
  interviews: Interview[]
  transcripts: Transcript[]
  /** Themes, categories and codes, in codebook order. */
  codes: Code[]
  codings: Coding[]
  quotes: Table2Quote[]
  memberChecks: MemberCheck[]
}

/**
 * The interviews of P1–P8 of the completed cohort, in the order of demo/interviews.ts, after the
 * group's last session; their transcripts; the codebook; both coders' codings; a Table 2 quotation
 * per code; and two member checks.
 *
 * The interviewer and the two coders are staff accounts named "Demo interviewer", "Demo coder A" and
 * "Demo coder B", whose passwords are unusable (unusablePasswordHash), with an address under the
 * reserved `.invalid` domain that names the study, so a second demo makes new ones. They hold no role
 * in the study and no interviewer assignment: nobody works as them, and the study's team stays the
 * people who really work on it.
 *
 * Their work is written straight through the repositories in one transaction, as the questionnaire
 * answers are (each coded passage's text sliced from the stored transcript by code points), and is
 * audited once, as the demo's creation by `actor`, with one entry per invented account.
 */
async function demoQualitative(deps: Deps, studyId: string, cohortId: string, actor: Actor): Promise<DemoQualitative> {
  const sessions = await listGroupSessions(deps.db, cohortId)
  const lastSession = new Date(sessions.at(-1)?.startsAt ?? deps.now().toISOString())
  const now = deps.now()
  // Relative to the last session; never in the future, whatever the schedule.
  const after = (days: number) => new Date(Math.min(lastSession.getTime() + days * day, now.getTime()))
  const guide = deps.instruments.guide(defaultGuideId)
  if (!guide) throw new Error(`the interview guide ${defaultGuideId} is not loaded`)
  const hashes = await Promise.all([0, 1, 2].map(() => unusablePasswordHash()))

  return deps.db.transaction().execute(async (trx) => {
    // No role in the study: they exist only as the authors of the demo's interviews and codings.
    const account = async (name: string, slug: string, passwordHash: string) => {
      const user = await insertStaffUser(trx, { email: `${slug}.${studyId}@demo.invalid`, name, passwordHash, isAdmin: false }, now)
      await insertAudit(trx, { actor, action: 'staff.create', entity: 'staff_user', entityId: user.id, details: { email: user.email, isAdmin: false, demo: true, canSignIn: false } }, now)
      return user
    }
    const interviewer = await account('Demo interviewer', 'demo-interviewer', hashes[0]!)
    const coderA = await account('Demo coder A', 'demo-coder-a', hashes[1]!)
    const coderB = await account('Demo coder B', 'demo-coder-b', hashes[2]!)

    // The interviews, two a day from the day after the last session, each about 35 minutes.
    const participants = new Map((await listParticipants(trx, cohortId)).map((p) => [p.code, p]))
    const interviews: Interview[] = []
    const transcripts: Transcript[] = []
    for (const [i, demo] of demoInterviews.entries()) {
      const participant = participants.get(demo.participant)
      if (!participant) throw new Error(`demo: no participant ${demo.participant}`)
      const startedAt = after(1 + Math.floor(i / 2) + (i % 2 === 0 ? 1 : 6) / 24)
      const endedAt = new Date(startedAt.getTime() + (31 + ((i * 7) % 9)) * 60_000)
      const interview = await insertInterview(
        trx,
        { participantId: participant.id, interviewerId: interviewer.id, guideId: guide.id, guideVersion: guide.version, consentToRecord: true, startedAt: startedAt.toISOString() },
        startedAt,
      )
      await updateInterview(trx, interview.id, { endedAt: endedAt.toISOString() }, endedAt)
      interviews.push({ ...interview, endedAt: endedAt.toISOString(), updatedAt: endedAt.toISOString() })
      const text = transcriptText('text', demo.text)
      transcripts.push(await upsertTranscript(trx, { interviewId: interview.id, format: 'text', text, original: demo.text, uploadedBy: interviewer.id }, new Date(endedAt.getTime() + 3600_000)))
    }
    const analysed = after(5)

    // The codebook, as coder A built it while coding.
    const codes: Code[] = []
    const codeOf = new Map<DemoCodeKey, Code>()
    const node = async (level: Code['level'], parent: Code | null, name: string, description: string) => {
      const code = await insertCode(trx, { studyId, parentId: parent?.id ?? null, level, name, description, color: defaultCodeColour(codes.length) }, analysed)
      await insertCodeHistory(trx, { codeId: code.id, action: 'create', details: { level, name, parentId: code.parentId, description }, actor: `staff:${coderA.id}` }, analysed)
      codes.push(code)
      return code
    }
    for (const theme of demoCodebook) {
      const themeNode = await node('theme', null, theme.name, theme.description)
      for (const category of theme.categories) {
        const categoryNode = await node('category', themeNode, category.name, category.description)
        for (const code of category.codes) codeOf.set(code.key, await node('code', categoryNode, code.name, code.description))
      }
    }

    // Both coders' codings, blind to each other; coder A's quotations go to Table 2.
    const codings: Coding[] = []
    const quotes: Table2Quote[] = []
    const memberChecks: MemberCheck[] = []
    for (const [i, demo] of demoInterviews.entries()) {
      const transcript = transcripts[i]!
      const chosen = new Map<DemoCodeKey, Coding>()
      for (const [k, coding] of demo.codings.entries()) {
        const span = spanIn(transcript.text, coding.text, `${demo.participant}, coding ${k + 1}`)
        for (const [coder, offset] of [[coderA, 0.1], [coderB, 0.2]] as const) {
          if (coding.by && coding.by !== (coder === coderA ? 'A' : 'B')) continue
          const saved = await insertCoding(
            trx,
            { transcriptId: transcript.id, codeId: codeOf.get(coding.code)!.id, coderId: coder.id, ...span, text: sliceCodePoints(transcript.text, span.start, span.end) },
            new Date(analysed.getTime() + (offset + i * 0.01) * day),
          )
          codings.push(saved)
          if (coding.quote && coder === coderA) chosen.set(coding.code, saved)
        }
      }
      for (const [key, coding] of chosen) quotes.push(await insertQuote(trx, { codeId: codeOf.get(key)!.id, codingId: coding.id, position: 1, chosenBy: `staff:${coderA.id}` }, after(5.5)))
      for (const [k, check] of (demo.memberChecks ?? []).entries()) {
        const coding = chosen.get(check.code)
        if (!coding) throw new Error(`demo ${demo.participant}: a member check of ${check.code}, which has no quotation of theirs`)
        memberChecks.push(await insertMemberCheck(trx, { codingId: coding.id, participantId: participants.get(demo.participant)!.id, decision: check.decision, comment: check.comment }, after(6 + (i + k) * 0.05)))
      }
    }
    await insertAudit(
      trx,
      { actor, action: 'demo.interviews', entity: 'study', entityId: studyId, details: { interviews: interviews.length, codes: codes.length, codings: codings.length, quotes: quotes.length, invented: true } },
      now,
    )
    return { staff: { interviewer, coderA, coderB }, interviews, transcripts, codes, codings, quotes, memberChecks }
  })
}

/** The demo study: one completed cohort to read reports from and interviews to analyse, one with links to try. */
export async function createDemo(deps: Deps, actor: Actor) {
  const now = deps.now()
  const iso = (offset: number) => new Date(now.getTime() + offset * day).toISOString().slice(0, 10)
  // The seed study ran in Iran: the demo's waves are days in Tehran.
  const study = await createStudy(deps, { name: 'Demo: online Balint groups for front-line clinicians', timeZone: 'Asia/Tehran' }, actor)
  const completed = await completedCohort(deps, study.id, actor)
  const qualitative = await demoQualitative(deps, study.id, completed.id, actor)
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Demo group B (try the links)', leader: 'Group leader (psychiatrist)' }, actor)
  const pre = await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: iso(-1), closes: iso(28), instruments }, actor)
  // Only the pre wave is open for the try-it links: a participant is asked one wave at a time, and the
  // post wave opens after the pre wave closes, as it would in a real cohort.
  const post = await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: iso(29), closes: iso(56), instruments }, actor)
  const participants = await addParticipants(deps, { cohortId: cohort.id, count: 8 }, actor)
  return { study, completedCohort: completed, cohort, waves: [pre, post], participants, qualitative }
}

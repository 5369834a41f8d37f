/**
 * The participant's way through a study, from the personal link: consent, the enrolment forms
 * (demographics, once), then the instruments of each open wave, and withdrawal at any time.
 *
 * Every answer is kept: answers arrive one by one from any device and are merged question by question
 * (answer-merge.ts), and completed responses are scored here, on the server, from the stored answers.
 */
import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { inGroupCommit } from '../../db/group-commit'
import { ApiError, fieldProblems, parseOr422, type FieldProblem } from '../errors'
import type { AnswersSaved, Completed, FormState, ParticipantState, WaveSlot } from '../../contracts/participant'
import { findCurrentAnswer, insertAnswerHistory, listAnswerHistory, listCurrentAnswers, upsertCurrentAnswer, type StoredAnswer } from '../../db/repositories/answers'
import { insertAudit } from '../../db/repositories/audit'
import type { Database } from '../../db/schema'
import {
  findLatestConsent,
  findParticipant,
  findLinkByTokenHash,
  insertConsent,
  listDeletedParticipantIds,
  lockParticipants,
  updateParticipantStatus,
  type Participant,
  type WithdrawalRecord,
} from '../../db/repositories/participants'
import {
  deleteResponsesOfParticipant,
  findResponse,
  findResponseByClientId,
  insertResponse,
  listResponsesOfParticipant,
  replaceScores,
  setDraftVersion,
  updateDraftAnswers,
  updateResponse,
  type StoredResponse,
} from '../../db/repositories/responses'
import { deleteJobsOfResponses } from '../../db/repositories/jobs'
import { deleteInterviewOfParticipant } from '../../db/repositories/interviews'
import { discardDeletedPages, eraseAuditOfParticipant } from '../../db/repositories/erasure'
import { deleteAttendanceOfParticipant, findCohort, findStudy, findWaveOfKind, listWaves, type Study, type Wave } from '../../db/repositories/studies'
import { currentStudyForm, resolveForm } from '../instruments/study-forms'
import { closesSoon, waveState } from '../dates'
import type { Deps } from '../deps'
import { compareVersions, type Instrument } from '../instruments/registry'
import { scoreResponse } from '../instruments/scoring'
import { answerRecord, mergeAnswers, sameGiving } from './answer-merge'
import { participantFeedback } from './feedback'
import { deleteAcknowledgementsOfParticipant } from '../../db/repositories/safety'
import { deleteContactOfParticipant, deleteDeliveriesOfParticipant, findContact, setRemindersOptOut } from '../../db/repositories/messaging'
import { raiseSafetyFlags, safetySupportFor } from './safety'
import { hashToken, tokenPattern } from './tokens'

/**
 * Forms asked once, right after consent, when the study has chosen no other: a study asks the
 * demographics form it chose (`study.demographicsInstrument`, study-forms.ts).
 */
export const enrolmentInstruments = ['demographics']

const linkNotFound = () =>
  // The same answer for an unknown, mistyped or revoked link: it tells a stranger nothing.
  new ApiError('link_not_found', 'This link is not active. If you were invited to a study, please contact the research team.')

/**
 * Only the holder of a real link can reach this (tokens have 256 bits), so it may say more than
 * `link_not_found`: the link was one of their messages', a newer message carries the link that
 * works, and (`details.language`) the study's language, for the page to say so in it.
 */
const linkReplaced = (language: string) =>
  new ApiError('link_replaced', 'This link has been replaced by the one in your most recent message from the research team. Please use that link.', { language })

/**
 * The participant a link belongs to, if the link works now: not revoked, and (a message link that a
 * newer one replaced) not past its end.
 *
 * @throws ApiError `link_not_found` (unknown or revoked), `link_replaced` (a replaced message link past its end)
 */
async function participantOfLink(db: Kysely<Database>, token: string, now: Date): Promise<Participant> {
  if (!tokenPattern.test(token)) throw linkNotFound()
  const link = await findLinkByTokenHash(db, hashToken(token))
  if (!link || link.revokedAt !== null) throw linkNotFound()
  if (link.expiresAt !== null && link.expiresAt <= now.toISOString()) {
    const cohort = await findCohort(db, link.participant.cohortId)
    const study = cohort && (await findStudy(db, cohort.studyId))
    throw linkReplaced(study?.language ?? 'en')
  }
  return link.participant
}

/** The participant holding this token, or a neutral 404 (a replaced message link: a 410 that says so). */
export async function participantByToken(deps: Deps, token: string): Promise<Participant> {
  return participantOfLink(deps.db, token, deps.now())
}

/**
 * Run a participant's write, checks included, in one transaction, on the participant as stored at
 * that moment. The transaction runs as if alone: SQLite has a single connection, and on PostgreSQL
 * every transaction is serialisable and retried on a conflict (db/postgres.ts). So two requests
 * arriving together, at one server or at two (an autosave racing its own retry, a double-tapped
 * submit, a withdrawal during a save), cannot both find nothing stored and both write; the unique
 * indexes on `response` (participant, wave, instrument) and `client_id` back this up. Every read
 * inside must go through `trx`.
 */
async function inTransaction<T>(deps: Deps, participant: Participant, work: (trx: Kysely<Database>, current: Participant) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findParticipant(trx, participant.id)
    if (!current) throw linkNotFound()
    return work(trx, current)
  })
}

/**
 * `inTransaction` for a write reached by the link itself: the token is looked up once, inside the
 * transaction, so the participant is read as stored at that moment without a second read by id. On
 * SQLite the saves that arrive together share one commit, each in a savepoint of its own
 * (db/group-commit.ts): each still runs as if alone and is answered only once committed.
 */
async function inTransactionByToken<T>(deps: Deps, token: string, work: (trx: Kysely<Database>, current: Participant) => Promise<T>): Promise<T> {
  if (!tokenPattern.test(token)) throw linkNotFound()
  return inGroupCommit(deps.db, async (trx) => work(trx, await participantOfLink(trx, token, deps.now())))
}

async function studyOf(deps: Deps, participant: Participant) {
  const cohort = await findCohort(deps.db, participant.cohortId)
  const study = cohort && (await findStudy(deps.db, cohort.studyId))
  if (!cohort || !study) throw new Error(`participant ${participant.id} has no cohort or study`)
  return { cohort, study }
}

function consentInstrument(deps: Deps, id: string): Instrument {
  const instrument = deps.instruments.get(id)
  if (!instrument || instrument.kind !== 'consent') throw new Error(`consent form "${id}" is not loaded`)
  return instrument
}

function formState(instrument: Instrument, response: StoredResponse | undefined): FormState {
  return {
    instrument: { id: instrument.id, version: instrument.version, title: instrument.title, survey: instrument.survey, languages: instrument.languages },
    response: response
      ? { status: response.status, answers: response.answers, revision: response.revision, updatedAt: response.updatedAt, completedAt: response.completedAt }
      : null,
  }
}

/**
 * The instrument a response is (or will be) stored against: the stored version (a study's own version
 * of its demographics form included), else the version asked now — for the enrolment form, the study's
 * own version with the choices it added; for a wave's questionnaire, the latest file.
 */
async function instrumentFor(deps: Deps, db: Kysely<Database>, id: string, stored: StoredResponse | undefined, enrolmentOf?: Pick<Study, 'id' | 'demographicsInstrument'>): Promise<Instrument> {
  const instrument = stored ? await resolveForm(deps, db, id, stored.instrumentVersion) : enrolmentOf ? await currentStudyForm(deps, db, enrolmentOf.id, id) : deps.instruments.get(id)
  if (!instrument) throw new Error(`instrument ${id}${stored ? `@${stored.instrumentVersion}` : ''} is not loaded`)
  return instrument
}

/**
 * The key a participant's own page knows them by (ParticipantState.participantKey): hex SHA-256 of
 * their id with a purpose prefix, the first 32 characters. The same for every link of theirs; says
 * nothing of the id's time or of anyone else's.
 */
export function participantKeyOf(participantId: string): string {
  return createHash('sha256').update(`balint-participant-key:${participantId}`).digest('hex').slice(0, 32)
}

/** Everything the participant's page needs, in one request. */
export async function participantState(deps: Deps, participant: Participant): Promise<ParticipantState> {
  const { study } = await studyOf(deps, participant)
  const consentForm = consentInstrument(deps, study.consentInstrument)
  const consent = await findLatestConsent(deps.db, participant.id)
  // The version agreed to, not the latest: a participant reads again what they actually agreed to.
  const agreedForm = consent?.decision === 'agree' ? deps.instruments.get(consent.instrumentId, consent.instrumentVersion) : undefined
  const now = deps.now()

  const enrolment: FormState[] = []
  for (const id of [study.demographicsInstrument]) {
    const stored = await findResponse(deps.db, participant.id, null, id)
    enrolment.push(formState(await instrumentFor(deps, deps.db, id, stored, study), stored))
  }

  const waves = []
  for (const wave of await listWaves(deps.db, participant.cohortId)) {
    const forms: FormState[] = []
    for (const id of wave.instruments) {
      const stored = await findResponse(deps.db, participant.id, wave.id, id)
      forms.push(formState(await instrumentFor(deps, deps.db, id, stored), stored))
    }
    waves.push({ kind: wave.kind, opensAt: wave.opensAt, closesAt: wave.closesAt, state: waveState(wave, now), closesSoon: closesSoon(wave, now), forms })
  }

  return {
    feedback: study.participantFeedback ? await participantFeedback(deps, participant, study.supportContact) : null,
    safety: await safetySupportFor(deps, study.id, participant.id),
    reminders: { optedOut: (await findContact(deps.db, participant.id))?.remindersOptOut ?? false },
    study: { name: study.name, language: study.language, timeZone: study.timeZone },
    participantKey: participantKeyOf(participant.id),
    participant: { code: participant.code, status: participant.status, withdrawnAt: participant.withdrawnAt },
    consent: {
      instrument: { id: consentForm.id, version: consentForm.version, survey: consentForm.survey },
      decision: consent?.decision ?? null,
      decidedAt: consent?.decidedAt ?? null,
      agreed: agreedForm ? { id: agreedForm.id, version: agreedForm.version, survey: agreedForm.survey } : null,
    },
    enrolment,
    waves,
  }
}

/** Record a consent decision. Declining collects nothing else; a participant who declined may agree later. */
export async function recordConsent(deps: Deps, participant: Participant, body: { version: string; answers: Record<string, unknown> }): Promise<void> {
  if (participant.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study.')
  const { study } = await studyOf(deps, participant)
  const form = consentInstrument(deps, study.consentInstrument)
  if (body.version !== form.version) {
    throw new ApiError('conflict', 'The consent text has changed since this page was loaded. Please read the new text.', { currentVersion: form.version })
  }
  const answers = parseOr422(form.completeSchema, body.answers, 'answers')
  const decision = answers.consent as 'agree' | 'decline'
  await inTransaction(deps, participant, async (trx, current) => {
    if (current.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study.')
    const latest = await findLatestConsent(trx, participant.id)
    // A retried submit of the same decision is not a new decision.
    if (latest && latest.decision === decision && latest.instrumentVersion === form.version) return
    if (latest?.decision === 'agree' && decision === 'decline') {
      throw new ApiError('conflict', 'Consent was already given. To stop taking part, withdraw from the study instead.')
    }
    const now = deps.now()
    await insertConsent(trx, { participantId: participant.id, instrumentId: form.id, instrumentVersion: form.version, decision, answers }, now)
    // Consented means agreed and not yet begun: one already active (answered, or answers imported)
    // who agrees again, to a new consent text or at the link after a paper questionnaire, stays active.
    if (decision === 'agree' && current.status === 'invited') await updateParticipantStatus(trx, participant.id, 'consented', now)
    await insertAudit(trx, { actor: `participant:${participant.id}`, action: `consent.${decision}`, entity: 'participant', entityId: participant.id, details: { version: form.version } }, now)
  })
}

type Slot = { waveId: string | null }

/**
 * How long after a wave closes the answers given while it was open may still arrive: 3 days, so that a
 * phone that was offline for a weekend shift (a wave closing on Friday night, the connection back on
 * Monday) still delivers what the participant answered in time. A policy value, not a measured one:
 * the study team may want it longer or shorter.
 *
 * When an answer was given is the device's stamp (`answeredAt`), and the device's clock is the
 * participant's: one set back could stamp any answer "before the close". This bound is on arrival, by
 * the server's clock, so it is what stops such a clock from answering a closed wave long afterwards.
 *
 * @example
 * new Date(Date.parse('2026-03-15T00:00:00.000Z') + lateArrivalGraceMs).toISOString() // "2026-03-18T00:00:00.000Z"
 */
export const lateArrivalGraceMs = 3 * 24 * 3600 * 1000

/**
 * When the answers a request brings were given, by the device's clock (ISO times), read from the
 * questionnaire as stored (`stored`) if need be: asked by `openSlot` only of a request that reaches a
 * wave after it closed.
 */
type GivenTimes = (stored: StoredResponse | undefined) => Promise<readonly string[]>

/** Whether `now` is no later than `lateArrivalGraceMs` after `wave` closed: the one bound, by the server's clock, on anything a closed wave takes. */
const withinGrace = (wave: Pick<Wave, 'closesAt'>, now: Date) => now.getTime() <= Date.parse(wave.closesAt) + lateArrivalGraceMs

/**
 * How far a phone's clock may run slow and its answers still count as given after the participant
 * agreed (`deliveredLate`): an hour, for a phone set by hand, without network time. A clock set back
 * further (a week) cannot place answers before the consent the server recorded. A policy value.
 */
export const deviceClockToleranceMs = 60 * 60 * 1000

/**
 * Whether a request that reaches `wave` after it closed is one the connection held back, not one
 * given too late: it brings answers, each given while the wave was open and after the participant
 * agreed (max(opensAt, agreedAt − deviceClockToleranceMs) <= time < closesAt: a stamp well before the
 * consent the server recorded cannot be true, found by a review), and it arrives within the grace
 * (`withinGrace`). A stamp that does not parse is outside the window (every comparison with NaN is
 * false).
 */
function deliveredLate(wave: Pick<Wave, 'opensAt' | 'closesAt'>, agreedAt: string, givenAt: readonly string[], now: Date): boolean {
  const from = givenFrom(wave, agreedAt)
  const closes = Date.parse(wave.closesAt)
  if (givenAt.length === 0 || !withinGrace(wave, now)) return false
  return givenAt.every((at) => {
    const time = Date.parse(at)
    return time >= from && time < closes
  })
}

/** The earliest instant (ms) an answer arriving after the close may have been given (`deliveredLate`). */
const givenFrom = (wave: Pick<Wave, 'opensAt'>, agreedAt: string) => Math.max(Date.parse(wave.opensAt), Date.parse(agreedAt) - deviceClockToleranceMs)

/**
 * Resolve the wave and instrument a participant is answering, checking they may answer it now: while
 * its wave is open; after it closed, answers given while it was open that arrive within
 * `lateArrivalGraceMs` (`givenAt`: when the request's answers were given; `deliveredLate`), whether or
 * not the questionnaire was begun in time. A wave not yet open takes nothing, whatever the device's clock says.
 */
async function openSlot(
  deps: Deps,
  db: Kysely<Database>,
  participant: Participant,
  slot: WaveSlot,
  instrumentId: string,
  givenAt: GivenTimes,
): Promise<Slot & { wave: Wave | null; stored: StoredResponse | undefined; instrument: Instrument }> {
  if (participant.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study; nothing more is collected.')
  const consent = await findLatestConsent(db, participant.id)
  if (consent?.decision !== 'agree') throw new ApiError('consent_required', 'Consent is needed before any answer is saved.')

  if (slot === 'enrolment') {
    const cohort = await findCohort(db, participant.cohortId)
    const study = cohort && (await findStudy(db, cohort.studyId))
    if (!study || study.demographicsInstrument !== instrumentId) throw new ApiError('not_found', `"${instrumentId}" is not an enrolment form.`)
    const stored = await findResponse(db, participant.id, null, instrumentId)
    return { waveId: null, instrument: await instrumentFor(deps, db, instrumentId, stored, study), wave: null, stored }
  }
  const wave = await findWaveOfKind(db, participant.cohortId, slot)
  if (!wave || !wave.instruments.includes(instrumentId)) throw new ApiError('not_found', `"${instrumentId}" is not part of the ${slot} questionnaires.`)
  const stored = await findResponse(db, participant.id, wave.id, instrumentId)
  const now = deps.now()
  const state = waveState(wave, now)
  // After the close, what was given while the wave was open still arrives, for a bounded time
  // (lateArrivalGraceMs): the participant who lost their connection near the deadline keeps what they
  // answered, and a questionnaire whose answers were all given in time can be submitted. Nothing
  // given after the close is taken, begun or not: a questionnaire begun in time was otherwise
  // finished after the groups had started (found by two reviews).
  const allowed = state === 'open' || (state === 'closed' && deliveredLate(wave, consent.decidedAt, await givenAt(stored), now))
  if (!allowed) {
    // A closed wave still within its grace says which answers it would take (`givenFrom` up to
    // `closesAt`), so the page can send those of a refused batch again on their own.
    throw new ApiError('wave_not_open', `The ${slot} questionnaires are open from ${wave.opensAt} to ${wave.closesAt}.`, {
      opensAt: wave.opensAt,
      closesAt: wave.closesAt,
      state,
      ...(state === 'closed' && withinGrace(wave, now) ? { givenFrom: new Date(givenFrom(wave, consent.decidedAt)).toISOString() } : {}),
    })
  }
  return { waveId: wave.id, instrument: await instrumentFor(deps, db, instrumentId, stored), wave, stored }
}

async function markActive(db: Kysely<Database>, participant: Participant, now: Date) {
  if (participant.status === 'consented') await updateParticipantStatus(db, participant.id, 'active', now)
}

/** The names an answer may be stored under: every question, and the "Other" comment of choice questions. */
function answerNames(instrument: Instrument): Set<string> {
  const names = new Set<string>()
  for (const q of instrument.questions) {
    names.add(q.name)
    if ((q.kind === 'choice' || q.kind === 'choices') && q.otherComment) names.add(`${q.name}-Comment`)
  }
  return names
}

/**
 * Check each given answer against the instrument, one by one (the same schema the form's rules come
 * from), and list every problem by question: `answers.<question>`.
 */
function answerProblems(instrument: Instrument, given: readonly { question: string; value: unknown }[]): FieldProblem[] {
  const { names, schemaOf } = answerChecks(instrument)
  const problems: FieldProblem[] = []
  for (const answer of given) {
    if (!names.has(answer.question)) {
      problems.push({ field: `answers.${answer.question}`, message: 'is not a field of this form' })
      continue
    }
    if (answer.value === null) continue
    const result = schemaOf(answer.question).safeParse({ [answer.question]: answer.value })
    if (!result.success) problems.push(...fieldProblems(result.error.issues, 'answers'))
  }
  return problems
}

/**
 * Per instrument, once: the names an answer may have, and for each a strict object of that one field
 * of the draft schema. Parsing `{ question: value }` with it gives exactly the issues (path, message)
 * the whole draft schema gives for that object, without visiting the form's every other field: the
 * draft schema was a sixth of a save's CPU (issue 16). A draft schema that is not a plain object
 * (none is, today) is used whole.
 */
const answerCheckCache = new WeakMap<Instrument, { names: Set<string>; schemaOf: (question: string) => z.ZodType }>()
function answerChecks(instrument: Instrument): { names: Set<string>; schemaOf: (question: string) => z.ZodType } {
  let checks = answerCheckCache.get(instrument)
  if (checks) return checks
  const draft = instrument.draftSchema
  const single = new Map<string, z.ZodType>()
  const schemaOf = (question: string): z.ZodType => {
    if (!(draft instanceof z.ZodObject)) return draft
    let schema = single.get(question)
    if (!schema) single.set(question, (schema = z.strictObject({ [question]: draft.shape[question] as z.ZodType })))
    return schema
  }
  checks = { names: answerNames(instrument), schemaOf }
  answerCheckCache.set(instrument, checks)
  return checks
}

/**
 * The current answer to each question of `stored`: its value from `response.answers`, with when and on
 * which device it was given from its `response_answer` row. Answers stored before answers were kept
 * one by one (or imported) have no row of their own: they count as given when the response was last
 * updated, by no device ("server"), so any answer given on a device after that wins. With `only`, the
 * rows of just those questions are read (a save needs the others' values, not when they were given:
 * issue 16); the others are then taken as such an answer.
 */
async function currentAnswers(db: Kysely<Database>, stored: StoredResponse | undefined, only?: readonly string[]): Promise<Map<string, StoredAnswer>> {
  const current = new Map<string, StoredAnswer>()
  if (!stored) return current
  for (const [question, value] of Object.entries(stored.answers)) {
    current.set(question, { question, value, answeredAt: stored.updatedAt, deviceId: 'server', receivedAt: stored.updatedAt })
  }
  if (only) {
    for (const question of new Set(only)) {
      const answer = await findCurrentAnswer(db, stored.id, question)
      if (answer) current.set(question, answer)
    }
  } else {
    for (const answer of await listCurrentAnswers(db, stored.id)) current.set(answer.question, answer)
  }
  return current
}

/**
 * Store a batch of answers given on one device, through the link's `token` (looked up once, inside the
 * transaction; an unknown or revoked link is `link_not_found`), merged question by question with what is stored
 * (answer-merge.ts: the later answer wins, the loser is kept in history). Idempotent: the same batch
 * sent again changes nothing. All or nothing: one answer that does not fit the form refuses the batch
 * (422, `details` naming each question) and writes nothing, so the device can resend the rest.
 *
 * A completed questionnaire stays complete: an answer it does not already hold is refused with
 * `already_complete` (409) and `details.questions` naming them, never silently dropped.
 *
 * Trust boundary: `answeredAt` comes from the device's clock. A time in the future is clamped to the
 * server's now, or a device whose clock runs fast would win every later conflict; the time as sent is
 * kept too (`givenAt`), and orders the answers of that one device (answer-merge.ts).
 *
 * After the wave has closed, a batch is stored when every answer in it was given while the wave was
 * open and it arrives within `lateArrivalGraceMs` of the close (`openSlot`). That is decided per
 * batch, not per answer: a batch is all or nothing, and a reply can only say all of it was stored or
 * none, so one answer given after the close refuses the whole batch (`wave_not_open`); within the
 * grace its details say which answers would be taken (given from `givenFrom` up to `closesAt`), and
 * the page sends those of the batch again on their own (client/participant/outbox.ts: `givenOutside`).
 */
export async function saveAnswers(
  deps: Deps,
  token: string,
  slot: WaveSlot,
  instrumentId: string,
  body: { deviceId: string; answers: { question: string; value: unknown; answeredAt: string }[] },
): Promise<AnswersSaved> {
  return inTransactionByToken(deps, token, async (trx, current) => {
    const opened = await openSlot(deps, trx, current, slot, instrumentId, async () => body.answers.map((a) => a.answeredAt))
    const { waveId, stored } = opened
    let instrument = opened.instrument
    // Checked once against the version as opened; another version is looked for only when it refuses.
    const problems = answerProblems(instrument, body.answers)
    const older = problems.length > 0 && slot !== 'enrolment' ? olderVersionAnswered(deps, instrument, body.answers, stored) : undefined
    if (older) instrument = older
    else if (problems.length > 0) throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)

    const now = deps.now()
    const receivedAt = now.toISOString()
    const incoming: StoredAnswer[] = body.answers.map((a) => {
      const answeredAt = new Date(a.answeredAt)
      return { question: a.question, value: a.value, answeredAt: (answeredAt > now ? now : answeredAt).toISOString(), deviceId: body.deviceId, receivedAt, givenAt: answeredAt.toISOString() }
    })
    const before = await currentAnswers(trx, stored, stored?.status === 'complete' ? undefined : incoming.map((a) => a.question))

    if (stored?.status === 'complete') {
      // A retry of answers stored before completion is fine; anything else came too late.
      const history = await listAnswerHistory(trx, stored.id)
      const late = incoming.filter((a) => ![...before.values(), ...history].some((s) => sameGiving(s, a)))
      if (late.length > 0) {
        const questions = [...new Set(late.map((a) => a.question))]
        throw new ApiError('already_complete', `This questionnaire was already submitted, so the answer to ${questions.join(', ')} was not stored.`, {
          completedAt: stored.completedAt,
          questions,
        })
      }
      return { status: 'complete', answers: stored.answers, revision: stored.revision, savedAt: stored.updatedAt }
    }

    const merge = mergeAnswers(before, incoming)
    const answers = answerRecord(merge.current)
    let responseId: string
    let revision: number
    if (stored) {
      responseId = stored.id
      if (instrument.version !== stored.instrumentVersion) await setDraftVersion(trx, stored.id, instrument.version)
      revision = stored.revision + (merge.upserts.length > 0 ? 1 : 0)
      if (merge.upserts.length > 0) await updateDraftAnswers(trx, stored.id, { answers, revision }, now)
    } else {
      revision = 1
      const created = await insertResponse(
        trx,
        { participantId: current.id, waveId, instrumentId, instrumentVersion: instrument.version, answers, status: 'draft', revision, clientId: null, source: 'link', completedAt: null },
        now,
      )
      responseId = created.id
    }
    for (const answer of merge.upserts) await upsertCurrentAnswer(trx, responseId, answer)
    for (const answer of merge.history) await insertAnswerHistory(trx, responseId, answer, now)
    await markActive(trx, current, now)
    return { status: 'draft', answers, revision, savedAt: receivedAt }
  })
}

/**
 * The version of a wave's questionnaire that a batch of answers was given in, when `current` (the
 * stored draft's version, or the latest loaded file when nothing is stored) refused it: the newest
 * older loaded version that takes them and every answer the draft holds (a page loaded before a
 * deploy: the question the new version dropped, or a choice it changed, would be refused for good,
 * and the submit waiting behind it with them; found by a review, first for a batch with nothing
 * stored, then for one after answers the new version also takes), else undefined, and `current`'s
 * refusal stands. The response is stored (a draft moved: setDraftVersion) and scored at that version,
 * as one begun before the deploy is. A submitted response keeps its version.
 */
function olderVersionAnswered(deps: Deps, current: Instrument, given: readonly { question: string; value: unknown }[], stored: StoredResponse | undefined): Instrument | undefined {
  if (stored && stored.status !== 'draft') return undefined
  const held = stored ? Object.entries(stored.answers).map(([question, value]) => ({ question, value })) : []
  const older = deps.instruments.versions(current.id).filter((v) => compareVersions(v.version, current.version) < 0)
  return older.find((v) => answerProblems(v, [...held, ...given]).length === 0)
}

/**
 * Submit a questionnaire: validate the whole answer set, store it as complete and score it, in one
 * transaction. A retried submit carrying the same client id returns the first result.
 *
 * A submit carries no time of its own, so after the wave has closed it goes by when its answers were
 * given (`openSlot`): accepted within `lateArrivalGraceMs` of the close when every answer it would
 * complete with was given while the wave was open. Answers sent with the submit count as given now,
 * after the close.
 */
export async function completeForm(
  deps: Deps,
  participant: Participant,
  slot: WaveSlot,
  instrumentId: string,
  body: { answers?: Record<string, unknown>; clientId: string },
): Promise<Completed> {
  return inTransaction(deps, participant, async (trx, current): Promise<Completed> => {
    const earlier = await findResponseByClientId(trx, body.clientId)
    if (earlier) {
      if (earlier.participantId !== participant.id || earlier.instrumentId !== instrumentId) {
        throw new ApiError('conflict', 'This submission id was already used for another questionnaire.')
      }
      return { status: 'complete', completedAt: earlier.completedAt!, instrument: earlier.instrumentId, version: earlier.instrumentVersion }
    }
    const { waveId, stored, instrument } = await openSlot(deps, trx, current, slot, instrumentId, async (held) => [
      ...[...(await currentAnswers(trx, held)).values()].map((a) => a.answeredAt),
      ...(Object.keys(body.answers ?? {}).length > 0 ? [deps.now().toISOString()] : []),
    ])
    if (stored?.status === 'complete') throw new ApiError('already_complete', 'This questionnaire was already submitted.', { completedAt: stored.completedAt })
    const now = deps.now()
    const completedAt = now.toISOString()
    // Answers sent with the submit are merged like any other, as given now by this submit.
    const given = Object.entries(body.answers ?? {}).map(([question, value]) => ({ question, value, answeredAt: completedAt, deviceId: `submit-${body.clientId}`, receivedAt: completedAt }))
    if (body.answers) parseOr422(instrument.draftSchema, body.answers, 'answers')
    const merge = mergeAnswers(await currentAnswers(trx, stored), given)
    const answers = parseOr422(instrument.completeSchema, answerRecord(merge.current), 'answers')
    // An empty questionnaire is not a completed one: it would be stored with no score and no warning.
    if (Object.keys(answers).length === 0) {
      throw new ApiError('validation_failed', 'answers: nothing is answered; a questionnaire cannot be submitted empty', [{ field: 'answers', message: 'nothing is answered' }])
    }
    let responseId: string
    if (stored) {
      responseId = stored.id
      await updateResponse(trx, stored.id, { answers, revision: stored.revision + 1, status: 'complete', clientId: body.clientId, completedAt }, now)
    } else {
      const created = await insertResponse(
        trx,
        { participantId: participant.id, waveId, instrumentId, instrumentVersion: instrument.version, answers, status: 'complete', revision: 1, clientId: body.clientId, source: 'link', completedAt },
        now,
      )
      responseId = created.id
    }
    for (const answer of merge.upserts) await upsertCurrentAnswer(trx, responseId, answer)
    for (const answer of merge.history) await insertAnswerHistory(trx, responseId, answer, now)
    if (instrument.kind === 'questionnaire') {
      const score = scoreResponse(instrument, answers)
      await replaceScores(trx, responseId, score, now)
      await raiseSafetyFlags(trx, { id: responseId, participantId: participant.id, source: 'link' }, { raised: score.flags, audited: score.flags.map((f) => f.flag) }, now)
    }
    await markActive(trx, current, now)
    await insertAudit(trx, { actor: `participant:${participant.id}`, action: 'response.complete', entity: 'response', entityId: responseId, details: { slot, instrument: `${instrument.id}@${instrument.version}` } }, now)
    return { status: 'complete', completedAt, instrument: instrument.id, version: instrument.version }
  })
}

/**
 * What `withdraw` did: when the participant withdrew (the first time), how many of their responses
 * this call deleted, and whether it deleted their data (responses, interview, attendance, deliveries,
 * audit entries; false when they kept it, or it was deleted before).
 */
export type Withdrawal = { withdrawnAt: string; deletedResponses: number; dataDeleted: boolean }

/**
 * Withdraw from the study. As the consent form says, the participant chooses whether the answers
 * already given are kept for analysis or deleted. Deleting takes the interview with it: the
 * interviewer's notes, the transcript, its codings and the quotations chosen from it for Table 2
 * (deleteInterviewOfParticipant), and the audit entries about any of it (eraseAuditOfParticipant: the
 * withdrawal itself is kept, with counts); keeping keeps them. The link stays usable so they can see that they
 * have withdrawn; nothing more is collected.
 *
 * A participant who withdrew keeping their answers may still ask for them to be deleted later (the
 * same request with `keepData: false`): they are deleted as above, the withdrawal keeps its time and
 * its audit entry, and the deletion is audited as `participant.delete_data` with its counts. Asked
 * again when nothing is left, or "keep" sent again, it changes and records nothing. Deleted stays
 * deleted: "keep" after a deletion brings nothing back.
 *
 * `withdrewAt`: when the participant withdrew, for a withdrawal made again after a restore
 * (`reapplyWithdrawals`); by default, and when it is not before now, now.
 */
export async function withdraw(deps: Deps, participant: Participant, body: { keepData: boolean }, withdrewAt?: Date): Promise<Withdrawal> {
  let deleted = false
  const result = await inTransaction(deps, participant, async (trx, current) => {
    // Locked before anything is decided or written (PostgreSQL; SQLite has one writer): an attendance
    // save under way finishes first, and one that comes now waits, then sees the withdrawal (recordAttendance).
    await lockParticipants(trx, [participant.id])
    const already = current.status === 'withdrawn'
    // Asked again once done, it changes nothing: done is what the audit log records (found by a
    // review: judged by what was left, a participant with only attendance marks kept them).
    if (already && (body.keepData || (await listDeletedParticipantIds(trx, participant.id)).has(participant.id))) {
      return { withdrawnAt: current.withdrawnAt!, deletedResponses: 0 }
    }
    const responseIds = body.keepData ? [] : (await listResponsesOfParticipant(trx, participant.id)).map((r) => r.id)
    const now = deps.now()
    const actor = `participant:${participant.id}`
    let deletedResponses = 0
    if (!body.keepData) {
      // Delete means deleted in the audit log too: what is kept is the withdrawal and counts of what went.
      await eraseAuditOfParticipant(trx, participant.id)
      await deleteAcknowledgementsOfParticipant(trx, participant.id)
      // A safety flag's emails are jobs named after the response and the flag: they go with it.
      await deleteJobsOfResponses(trx, responseIds)
      deletedResponses = await deleteResponsesOfParticipant(trx, participant.id)
      const { interviewId, ...counts } = await deleteInterviewOfParticipant(trx, participant.id)
      if (interviewId) await insertAudit(trx, { actor, action: 'interview.delete', entity: 'interview', entityId: interviewId, details: { because: 'participant.withdraw', ...counts } }, now)
      await deleteDeliveriesOfParticipant(trx, participant.id)
      // How many group sessions they attended is data about them too (wide.csv's sessions_attended).
      await deleteAttendanceOfParticipant(trx, participant.id)
      deleted = true
    }
    if (already) {
      await insertAudit(trx, { actor, action: 'participant.delete_data', entity: 'participant', entityId: participant.id, details: { deletedResponses } }, now)
      return { withdrawnAt: current.withdrawnAt!, deletedResponses }
    }
    // Contact details go with any withdrawal: nobody is to be contacted about the study any more.
    await deleteContactOfParticipant(trx, participant.id)
    // A withdrawal made again after a restore keeps the day the participant withdrew (the attendance
    // rule and their sheet go by it); the audit entry is of now, when it was made here, and says both.
    const at = withdrewAt && withdrewAt.getTime() < now.getTime() ? withdrewAt : now
    await updateParticipantStatus(trx, participant.id, 'withdrawn', at)
    await insertAudit(trx, { actor, action: 'participant.withdraw', entity: 'participant', entityId: participant.id, details: { keepData: body.keepData, deletedResponses, ...(at === now ? {} : { withdrewAt: at.toISOString() }) } }, now)
    return { withdrawnAt: at.toISOString(), deletedResponses }
  })
  if (deleted) await discardDeletedPages(deps.db)
  return { ...result, dataDeleted: deleted }
}

/**
 * After a backup was restored (cli `restore`): the withdrawals recorded in the database it replaced
 * are made again in the restored one, so that a restore never brings back a participant who had
 * withdrawn (their link taking answers, reminders going out), nor the data of one who asked for
 * deletion. Each is `withdraw` as the participant asked it, so one already in the backup changes
 * nothing. The participant's withdrawal keeps its recorded time (`withdrawnAt`; the restore's time
 * where none was recorded, or one later than now), so that the sessions after it stay closed to
 * attendance marks; its audit entry is of the restore, with that time in `withdrewAt`. Returns how
 * many participants were withdrawn again, and how many of them had data deleted again.
 */
export async function reapplyWithdrawals(deps: Deps, withdrawals: readonly WithdrawalRecord[]): Promise<{ withdrawn: number; deleted: number }> {
  let withdrawn = 0
  let deleted = 0
  for (const record of withdrawals) {
    const participant = await findParticipant(deps.db, record.participantId)
    // Not in the backup: added after it, so nothing of theirs is in it.
    if (!participant) continue
    const before = participant.status
    const result = await withdraw(deps, participant, { keepData: !record.deleted }, record.withdrawnAt ? new Date(record.withdrawnAt) : undefined)
    if (before !== 'withdrawn') withdrawn++
    if (result.dataDeleted) deleted++
  }
  return { withdrawn, deleted }
}

/** The participant's own choice, from their page: reminders or none (invitations to a new wave still come). */
export async function chooseReminders(deps: Deps, participant: Participant, body: { optOut: boolean }): Promise<{ optedOut: boolean }> {
  return inTransaction(deps, participant, async (trx, current) => {
    if (current.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study.')
    const now = deps.now()
    await setRemindersOptOut(trx, participant.id, body.optOut, now)
    await insertAudit(trx, { actor: `participant:${participant.id}`, action: body.optOut ? 'reminders.opt_out' : 'reminders.opt_in', entity: 'participant', entityId: participant.id }, now)
    return { optedOut: body.optOut }
  })
}

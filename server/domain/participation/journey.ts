/**
 * The participant's way through a study, from the personal link: consent, the enrolment forms
 * (demographics, once), then the instruments of each open wave, and withdrawal at any time.
 *
 * Every answer is kept: drafts are saved as they are typed and completed responses are scored here,
 * on the server, from the stored answers.
 */
import type { Kysely } from 'kysely'
import { ApiError, parseOr422 } from '../errors'
import type { Completed, DraftSaved, FormState, ParticipantState, WaveSlot } from '../../contracts/participant'
import { insertAudit } from '../../db/repositories/audit'
import type { Database } from '../../db/schema'
import {
  findLatestConsent,
  findParticipant,
  findParticipantByTokenHash,
  insertConsent,
  updateParticipantStatus,
  type Participant,
} from '../../db/repositories/participants'
import {
  deleteResponsesOfParticipant,
  findResponse,
  findResponseByClientId,
  insertResponse,
  replaceScores,
  updateResponse,
  type StoredResponse,
} from '../../db/repositories/responses'
import { deleteInterviewOfParticipant } from '../../db/repositories/interviews'
import { findCohort, findStudy, listWaves, type Wave } from '../../db/repositories/studies'
import { closesSoon, waveState } from '../dates'
import type { Deps } from '../deps'
import type { Instrument } from '../instruments/registry'
import { scoreResponse } from '../instruments/scoring'
import { participantFeedback } from './feedback'
import { hashToken, tokenPattern } from './tokens'

/** Forms asked once, right after consent. */
export const enrolmentInstruments = ['demographics']

const linkNotFound = () =>
  // The same answer for an unknown, mistyped or revoked link: it tells a stranger nothing.
  new ApiError('link_not_found', 'This link is not active. If you were invited to a study, please contact the research team.')

/** The participant holding this token, or a neutral 404. */
export async function participantByToken(deps: Deps, token: string): Promise<Participant> {
  if (!tokenPattern.test(token)) throw linkNotFound()
  const participant = await findParticipantByTokenHash(deps.db, hashToken(token))
  if (!participant) throw linkNotFound()
  return participant
}

/**
 * Run a participant's write, checks included, in one transaction, on the participant as stored at
 * that moment. SQLite has a single connection, so a transaction runs alone: two requests arriving
 * together (an autosave racing its own retry, a double-tapped submit, a withdrawal during a save)
 * cannot both find nothing stored and both write. Every read inside must go through `trx`.
 */
async function inTransaction<T>(deps: Deps, participant: Participant, work: (trx: Kysely<Database>, current: Participant) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findParticipant(trx, participant.id)
    if (!current) throw linkNotFound()
    return work(trx, current)
  })
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

/** The instrument a response is (or will be) stored against: the stored version, else the latest. */
function instrumentFor(deps: Deps, id: string, stored?: StoredResponse): Instrument {
  const instrument = deps.instruments.get(id, stored?.instrumentVersion)
  if (!instrument) throw new Error(`instrument ${id}${stored ? `@${stored.instrumentVersion}` : ''} is not loaded`)
  return instrument
}

/** Everything the participant's page needs, in one request. */
export async function participantState(deps: Deps, participant: Participant): Promise<ParticipantState> {
  const { study } = await studyOf(deps, participant)
  const consentForm = consentInstrument(deps, study.consentInstrument)
  const consent = await findLatestConsent(deps.db, participant.id)
  const now = deps.now()

  const enrolment: FormState[] = []
  for (const id of enrolmentInstruments) {
    const stored = await findResponse(deps.db, participant.id, null, id)
    enrolment.push(formState(instrumentFor(deps, id, stored), stored))
  }

  const waves = []
  for (const wave of await listWaves(deps.db, participant.cohortId)) {
    const forms: FormState[] = []
    for (const id of wave.instruments) {
      const stored = await findResponse(deps.db, participant.id, wave.id, id)
      forms.push(formState(instrumentFor(deps, id, stored), stored))
    }
    waves.push({ kind: wave.kind, opensAt: wave.opensAt, closesAt: wave.closesAt, state: waveState(wave, now), closesSoon: closesSoon(wave, now), forms })
  }

  return {
    feedback: study.participantFeedback ? await participantFeedback(deps, participant, study.supportContact) : null,
    study: { name: study.name, language: study.language, timeZone: study.timeZone },
    participant: { code: participant.code, status: participant.status, withdrawnAt: participant.withdrawnAt },
    consent: {
      instrument: { id: consentForm.id, version: consentForm.version, survey: consentForm.survey },
      decision: consent?.decision ?? null,
      decidedAt: consent?.decidedAt ?? null,
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
    if (decision === 'agree') await updateParticipantStatus(trx, participant.id, 'consented', now)
    await insertAudit(trx, { actor: `participant:${participant.id}`, action: `consent.${decision}`, entity: 'participant', entityId: participant.id, details: { version: form.version } }, now)
  })
}

type Slot = { waveId: string | null; instrument: string }

/** Resolve the wave and instrument a participant is answering, checking they may answer it now. */
async function openSlot(
  deps: Deps,
  db: Kysely<Database>,
  participant: Participant,
  slot: WaveSlot,
  instrumentId: string,
): Promise<Slot & { wave: Wave | null; stored: StoredResponse | undefined }> {
  if (participant.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study; nothing more is collected.')
  const consent = await findLatestConsent(db, participant.id)
  if (consent?.decision !== 'agree') throw new ApiError('consent_required', 'Consent is needed before any answer is saved.')

  if (slot === 'enrolment') {
    if (!enrolmentInstruments.includes(instrumentId)) throw new ApiError('not_found', `"${instrumentId}" is not an enrolment form.`)
    const stored = await findResponse(db, participant.id, null, instrumentId)
    return { waveId: null, instrument: instrumentId, wave: null, stored }
  }
  const wave = (await listWaves(db, participant.cohortId)).find((w) => w.kind === slot)
  if (!wave || !wave.instruments.includes(instrumentId)) throw new ApiError('not_found', `"${instrumentId}" is not part of the ${slot} questionnaires.`)
  const stored = await findResponse(db, participant.id, wave.id, instrumentId)
  const state = waveState(wave, deps.now())
  // A questionnaire begun while its wave was open may be finished after it closes: the participant who
  // lost their connection near the deadline keeps what they answered.
  const begunWhileOpen = stored !== undefined && waveState(wave, new Date(stored.startedAt)) === 'open'
  if (state !== 'open' && !begunWhileOpen) {
    throw new ApiError('wave_not_open', `The ${slot} questionnaires are open from ${wave.opensAt} to ${wave.closesAt}.`, {
      opensAt: wave.opensAt,
      closesAt: wave.closesAt,
      state,
    })
  }
  return { waveId: wave.id, instrument: instrumentId, wave, stored }
}

async function markActive(db: Kysely<Database>, participant: Participant, now: Date) {
  if (participant.status === 'consented') await updateParticipantStatus(db, participant.id, 'active', now)
}

/** Save the answers given so far. Idempotent: a save whose revision is not newer than the stored one changes nothing. */
export async function saveDraft(
  deps: Deps,
  participant: Participant,
  slot: WaveSlot,
  instrumentId: string,
  body: { answers: Record<string, unknown>; revision: number },
): Promise<DraftSaved> {
  return inTransaction(deps, participant, async (trx, current) => {
    const { waveId, stored } = await openSlot(deps, trx, current, slot, instrumentId)
    const instrument = instrumentFor(deps, instrumentId, stored)
    const answers = parseOr422(instrument.draftSchema, body.answers, 'answers')
    if (stored?.status === 'complete') throw new ApiError('already_complete', 'This questionnaire was already submitted.')
    if (stored && stored.revision >= body.revision) return { revision: stored.revision, stale: true, savedAt: stored.updatedAt }
    const now = deps.now()
    if (stored) await updateResponse(trx, stored.id, { answers, revision: body.revision }, now)
    else {
      await insertResponse(
        trx,
        {
          participantId: participant.id,
          waveId,
          instrumentId,
          instrumentVersion: instrument.version,
          answers,
          status: 'draft',
          revision: body.revision,
          clientId: null,
          source: 'link',
          completedAt: null,
        },
        now,
      )
    }
    await markActive(trx, current, now)
    return { revision: body.revision, stale: false, savedAt: now.toISOString() }
  })
}

/**
 * Submit a questionnaire: validate the whole answer set, store it as complete and score it, in one
 * transaction. A retried submit carrying the same client id returns the first result.
 */
export async function completeForm(
  deps: Deps,
  participant: Participant,
  slot: WaveSlot,
  instrumentId: string,
  body: { answers: Record<string, unknown>; clientId: string },
): Promise<Completed> {
  return inTransaction(deps, participant, async (trx, current): Promise<Completed> => {
    const earlier = await findResponseByClientId(trx, body.clientId)
    if (earlier) {
      if (earlier.participantId !== participant.id || earlier.instrumentId !== instrumentId) {
        throw new ApiError('conflict', 'This submission id was already used for another questionnaire.')
      }
      return { status: 'complete', completedAt: earlier.completedAt!, instrument: earlier.instrumentId, version: earlier.instrumentVersion }
    }
    const { waveId, stored } = await openSlot(deps, trx, current, slot, instrumentId)
    if (stored?.status === 'complete') throw new ApiError('already_complete', 'This questionnaire was already submitted.', { completedAt: stored.completedAt })
    const instrument = instrumentFor(deps, instrumentId, stored)
    const answers = parseOr422(instrument.completeSchema, body.answers, 'answers')
    const now = deps.now()
    const completedAt = now.toISOString()
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
    if (instrument.kind === 'questionnaire') {
      const score = scoreResponse(instrument, answers)
      await replaceScores(trx, responseId, score, now)
      if (score.flags.some((f) => f.severity === 'safety')) {
        await insertAudit(trx, { actor: 'system', action: 'response.flagged', entity: 'response', entityId: responseId, details: { flags: score.flags.map((f) => f.flag) } }, now)
      }
    }
    await markActive(trx, current, now)
    await insertAudit(trx, { actor: `participant:${participant.id}`, action: 'response.complete', entity: 'response', entityId: responseId, details: { slot, instrument: `${instrument.id}@${instrument.version}` } }, now)
    return { status: 'complete', completedAt, instrument: instrument.id, version: instrument.version }
  })
}

/**
 * Withdraw from the study. As the consent form says, the participant chooses whether the answers
 * already given are kept for analysis or deleted. Deleting takes the interview with it: the
 * interviewer's notes, the transcript, its codings and the quotations chosen from it for Table 2
 * (deleteInterviewOfParticipant); keeping keeps them. The link stays usable so they can see that they
 * have withdrawn; nothing more is collected.
 */
export async function withdraw(deps: Deps, participant: Participant, body: { keepData: boolean }): Promise<{ withdrawnAt: string; deletedResponses: number }> {
  return inTransaction(deps, participant, async (trx, current) => {
    if (current.status === 'withdrawn') return { withdrawnAt: current.withdrawnAt!, deletedResponses: 0 }
    const now = deps.now()
    const actor = `participant:${participant.id}`
    let deletedResponses = 0
    if (!body.keepData) {
      deletedResponses = await deleteResponsesOfParticipant(trx, participant.id)
      const { interviewId, ...deleted } = await deleteInterviewOfParticipant(trx, participant.id)
      if (interviewId) await insertAudit(trx, { actor, action: 'interview.delete', entity: 'interview', entityId: interviewId, details: { because: 'participant.withdraw', ...deleted } }, now)
    }
    await updateParticipantStatus(trx, participant.id, 'withdrawn', now)
    await insertAudit(trx, { actor, action: 'participant.withdraw', entity: 'participant', entityId: participant.id, details: { keepData: body.keepData, deletedResponses } }, now)
    return { withdrawnAt: now.toISOString(), deletedResponses }
  })
}

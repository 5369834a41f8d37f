/**
 * Safety flags that get handled (issue 17). When a submitted answer raises a safety flag (PHQ-9
 * item 9 above 0, for example):
 * - the participant sees the study's support text and contact at once, in their language;
 * - the study's safety contacts are emailed (a job, so that it survives a restart and is sent once);
 * - the flag is open in the study's Safety view until a researcher acknowledges it with the action
 *   taken; an open flag older than the study's time is highlighted there and notified again.
 * Flags, notifications and acknowledgements are written to the audit log. Only researchers see any
 * of it: program leads never see a person, let alone a flag.
 */
import type { Kysely } from 'kysely'
import { insertAudit } from '../../db/repositories/audit'
import { cancelPendingJobs, scheduleJob, type Job } from '../../db/repositories/jobs'
import { defaultSafetySettings, findSafetySettings, insertAcknowledgement, listSafetyFlagsOfStudy, upsertSafetySettings, type SafetySettings, type StudyFlag } from '../../db/repositories/safety'
import { findParticipant } from '../../db/repositories/participants'
import { findCohort, findStudy } from '../../db/repositories/studies'
import type { Database, DataSource } from '../../db/schema'
import type { RaisedFlag } from '../instruments/scoring'
import type { Deps } from '../deps'
import { ApiError } from '../errors'
import { questionTexts } from '../instruments/labels'
import { plainText } from '../instruments/text'
import { MailRefused, type Mailer } from '../messaging/mailer'
import { safetyNotification } from '../messaging/texts'

export { defaultSafetySettings, type SafetySettings }

const hour = 3600_000

/** The job kinds of this file (see messaging/jobs.ts). */
export const safetyJobKinds = { notify: 'safety.notify', renotify: 'safety.renotify' } as const

const flagRef = (responseId: string, flagId: string) => `${responseId}/${flagId}`

/**
 * Called inside the transaction that stored a completed response with safety flags: schedules the
 * email to the safety contacts now, and a second one after the study's time unless acknowledged.
 */
export async function scheduleSafetyNotifications(trx: Kysely<Database>, input: { studyId: string; responseId: string; flagIds: string[] }, now: Date): Promise<void> {
  const settings = await findSafetySettings(trx, input.studyId)
  for (const flagId of input.flagIds) {
    const ref = flagRef(input.responseId, flagId)
    await scheduleJob(trx, { kind: safetyJobKinds.notify, studyId: input.studyId, ref, dedupeKey: `safety:${ref}:notify`, dueAt: now.toISOString() }, now)
    await scheduleJob(
      trx,
      { kind: safetyJobKinds.renotify, studyId: input.studyId, ref, dedupeKey: `safety:${ref}:renotify:1`, dueAt: new Date(now.getTime() + settings.renotifyAfterHours * hour).toISOString(), details: { round: 1 } },
      now,
    )
  }
}

/**
 * Raise the safety flags among `raised` (flags of other severities are ignored) of a response whose
 * answers were just submitted or corrected, inside the transaction that stored its scores: one audit
 * entry (`response.flagged`, naming `audited` and, for a correction, `by`) and, for answers given at
 * the participant's link, the safety contacts' emails (`scheduleSafetyNotifications`: jobs the runner
 * sends once this transaction commits). Imported answers' flags are listed in the Safety view without
 * emails: they were given on paper, often long before. Nothing when no safety flag is among `raised`.
 * The one place both a submitted form (journey.ts, completeForm) and a correction (corrections.ts)
 * raise flags, so that the two cannot drift apart.
 */
export async function raiseSafetyFlags(
  trx: Kysely<Database>,
  response: { id: string; participantId: string; source: DataSource },
  flags: { raised: RaisedFlag[]; audited: string[]; by?: string },
  now: Date,
): Promise<void> {
  const safety = flags.raised.filter((f) => f.severity === 'safety')
  if (safety.length === 0) return
  await insertAudit(trx, { actor: 'system', action: 'response.flagged', entity: 'response', entityId: response.id, details: { flags: flags.audited, ...(flags.by ? { by: flags.by } : {}) } }, now)
  if (response.source !== 'link') return
  const participant = await findParticipant(trx, response.participantId)
  const cohort = participant && (await findCohort(trx, participant.cohortId))
  if (cohort) await scheduleSafetyNotifications(trx, { studyId: cohort.studyId, responseId: response.id, flagIds: safety.map((f) => f.flag) }, now)
}

/** What the participant sees when one of their answers raised a safety flag; null when none did. */
export type SafetySupport = { text: { en: string | null; fa: string | null }; contact: string | null }

/**
 * The study's support text and contact, shown to a participant whose answers raised a safety flag
 * that is still open, or was raised in the last 14 days. Null texts mean the built-in text of the
 * participant's page (contact local emergency services).
 */
export async function safetySupportFor(deps: Deps, studyId: string, participantId: string): Promise<SafetySupport | null> {
  const flags = await listSafetyFlagsOfStudy(deps.db, studyId, { participantId })
  const recent = deps.now().getTime() - 14 * 24 * hour
  if (!flags.some((f) => !f.acknowledgement || new Date(f.raisedAt).getTime() >= recent)) return null
  const settings = await findSafetySettings(deps.db, studyId)
  return { text: settings.supportText, contact: settings.contact }
}

export type SafetyFlagView = StudyFlag & {
  /** The flag's own words, the questionnaire's title, and the answer's text where the item has choices. */
  label: string
  /**
   * The flag's words in Persian where its instrument file gives them (`"label": { "en": …, "fa": … }`),
   * else null: the staff app then uses its catalogue's words for the flags we ship.
   */
  labelFa: string | null
  instrumentTitle: string
  answer: string
  /** Open and older than the study's time to acknowledge. */
  overdue: boolean
}

/**
 * The study's Safety view: open flags oldest first, the last 50 acknowledged, the settings, and
 * whether email notifications can go (an SMTP server is set).
 */
export async function safetyView(deps: Deps, studyId: string): Promise<{ open: SafetyFlagView[]; acknowledged: SafetyFlagView[]; settings: SafetySettings; email: boolean }> {
  const settings = await findSafetySettings(deps.db, studyId)
  const now = deps.now().getTime()
  const views = (await listSafetyFlagsOfStudy(deps.db, studyId)).map((f): SafetyFlagView => {
    const instrument = deps.instruments.questionnaire(f.instrument)
    const spec = instrument?.scoring.flags.find((x) => x.id === f.flagId)
    const choice = instrument ? questionTexts(instrument).get(f.item)?.valueLabels.find((v) => v.value === f.value) : undefined
    return {
      ...f,
      label: spec ? plainText(spec.label) : f.flagId,
      labelFa: spec && typeof spec.label === 'object' && typeof spec.label.fa === 'string' ? spec.label.fa : null,
      instrumentTitle: instrument ? plainText(instrument.title) : f.instrument,
      answer: choice ? `${f.value} (${choice.label})` : String(f.value),
      overdue: !f.acknowledgement && now - new Date(f.raisedAt).getTime() > settings.renotifyAfterHours * hour,
    }
  })
  const acknowledged = views.filter((f) => f.acknowledgement).sort((a, b) => b.acknowledgement!.at.localeCompare(a.acknowledgement!.at))
  return { open: views.filter((f) => !f.acknowledgement), acknowledged: acknowledged.slice(0, 50), settings, email: deps.mailer !== undefined }
}

/**
 * A researcher acknowledges a flag with the action taken. Once only: a second acknowledgement (two
 * researchers at once) is a conflict, and the first one stands. No more reminders are sent about it.
 */
export async function acknowledgeSafetyFlag(deps: Deps, studyId: string, input: { responseId: string; flagId: string; action: string }, staffId: string): Promise<StudyFlag> {
  const [flag] = await listSafetyFlagsOfStudy(deps.db, studyId, { responseId: input.responseId, flagId: input.flagId })
  if (!flag) throw new ApiError('not_found', 'No such safety flag.')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    if (!(await insertAcknowledgement(trx, { responseId: input.responseId, flagId: input.flagId, action: input.action, by: `staff:${staffId}` }, now))) {
      throw new ApiError('conflict', 'This safety flag was already acknowledged.')
    }
    await cancelPendingJobs(trx, flagRef(input.responseId, input.flagId), [])
    await insertAudit(trx, { actor: `staff:${staffId}`, action: 'safety.acknowledge', entity: 'response', entityId: input.responseId, details: { flag: input.flagId } }, now)
    return { ...flag, acknowledgement: { action: input.action, by: `staff:${staffId}`, at: now.toISOString() } }
  })
}

export async function updateSafetySettings(deps: Deps, studyId: string, settings: SafetySettings, staffId: string): Promise<SafetySettings> {
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await upsertSafetySettings(trx, studyId, settings, `staff:${staffId}`, now)
    // The addresses are named by count only: the audit log is read more widely than the settings.
    await insertAudit(
      trx,
      { actor: `staff:${staffId}`, action: 'safety.settings', entity: 'study', entityId: studyId, details: { contacts: settings.notifyEmails.length, renotifyAfterHours: settings.renotifyAfterHours, supportText: { en: settings.supportText.en !== null, fa: settings.supportText.fa !== null } } },
      now,
    )
  })
  return findSafetySettings(deps.db, studyId)
}

/**
 * Run a safety job: email the study's safety contacts about a flag, unless it was acknowledged (or
 * deleted with a withdrawal) meanwhile. A repeat waits until the flag is older than the study's
 * time, and schedules the next repeat after it.
 */
export async function runSafetyJob(deps: Deps & { mailer: Mailer; baseUrl: string }, job: Job): Promise<void | { retryAt: string }> {
  const [responseId, flagId] = job.ref.split('/') as [string, string]
  const [flag] = await listSafetyFlagsOfStudy(deps.db, job.studyId, { responseId, flagId })
  if (!flag || flag.acknowledgement) return
  const settings = await findSafetySettings(deps.db, job.studyId)
  const now = deps.now()
  const repeat = job.kind === safetyJobKinds.renotify
  if (repeat) {
    // The study may have changed its time since the job was scheduled.
    const dueAt = new Date(new Date(flag.raisedAt).getTime() + settings.renotifyAfterHours * hour * Number(job.details.round ?? 1))
    if (dueAt > now) return { retryAt: dueAt.toISOString() }
  }
  const study = await findStudy(deps.db, job.studyId)
  const instrument = deps.instruments.questionnaire(flag.instrument)
  if (settings.notifyEmails.length > 0) {
    const mail = safetyNotification({
      study: study?.name ?? job.studyId,
      code: `${flag.code} (${flag.cohortName})`,
      instrument: instrument ? plainText(instrument.title) : flag.instrument,
      item: flag.item,
      raisedAt: flag.raisedAt,
      timeZone: study?.timeZone ?? 'UTC',
      safetyUrl: `${deps.baseUrl}/studies/${job.studyId}/safety`,
      repeat,
    })
    try {
      await deps.mailer.send({ to: settings.notifyEmails, ...mail })
    } catch (error) {
      // Refused for good: the job fails (jobs.ts) and the audit log says so, without the addresses
      // or the server's reply (which may quote them): the team's record of every safety email.
      // Any other failure is tried again, an unknown outcome (MailOutcomeUnknown) too: a safety
      // contact emailed twice is better than one never told.
      if (error instanceof MailRefused) {
        await insertAudit(deps.db, { actor: 'system', action: 'safety.notify_refused', entity: 'response', entityId: responseId, details: { flag: flagId, recipients: settings.notifyEmails.length } }, now)
      }
      throw error
    }
  }
  await insertAudit(deps.db, { actor: 'system', action: repeat ? 'safety.renotify' : 'safety.notify', entity: 'response', entityId: responseId, details: { flag: flagId, recipients: settings.notifyEmails.length } }, now)
  if (repeat) {
    const round = Number(job.details.round ?? 1) + 1
    await scheduleJob(
      deps.db,
      { kind: safetyJobKinds.renotify, studyId: job.studyId, ref: job.ref, dedupeKey: `safety:${job.ref}:renotify:${round}`, dueAt: new Date(now.getTime() + settings.renotifyAfterHours * hour).toISOString(), details: { round } },
      now,
    )
  }
}

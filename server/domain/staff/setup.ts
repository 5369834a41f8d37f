/**
 * Setting up a study before the staff web app exists: studies, cohorts with their group-session
 * schedule, participants with their personal links, and waves. The CLI is a thin layer over these.
 */
import { ApiError } from '../errors'
import { insertAudit } from '../../db/repositories/audit'
import { endLinks, findParticipant, insertLink, insertParticipants, listDeletedParticipantIds, listParticipants, lockParticipants, revokeLinks, type Participant } from '../../db/repositories/participants'
import {
  findCohort,
  findGroupSession,
  findStudy,
  listCohorts,
  listWaves,
  listGroupSessions,
  listAttendance,
  listAttendanceOfSession,
  updateStudy,
  updateWaveTimes,
  upsertAttendance,
  insertCohort,
  insertGroupSessions,
  updateGroupSessionStart,
  insertStudy,
  upsertWave,
  type Cohort,
  type GroupSession,
  type Study,
  type Wave,
} from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import { dayInZone, endOfDay, isTimeZone, lastDayInZone, serverTimeZone, startOfDay } from '../dates'
import type { Deps } from '../deps'
import { createToken } from '../participation/tokens'
import { overlappingWaves, waveWarnings, type WaveWarning } from './wave-checks'
import { countLinkResponsesOfWave, countResponsesOfWaveByInstrument } from '../../db/repositories/responses'
import { scheduleWaveMessages } from '../messaging/invitations'

export type Actor = string

/**
 * The study's schedule by default: 8 sessions, twice a week for 4 weeks, three and four days apart
 * (Sheikhoonesi et al. 2021, section 3.2). Sessions are days in the study's time zone, as waves are:
 * each starts at midnight there (`startOfDay`), counted in calendar days, so a change of clock does
 * not move a session to the evening before.
 *
 * @param first the first session's day, YYYY-MM-DD
 * @returns the sessions' start instants, in order
 * @throws {RangeError} not a calendar day (2026-02-30), a day before 1900, a schedule past
 *   9999-12-31, or an unknown zone
 * @example
 * defaultSchedule('2026-03-05', 3, 'America/New_York').map((d) => d.toISOString())
 * // ["2026-03-05T05:00:00.000Z", "2026-03-08T05:00:00.000Z", "2026-03-12T04:00:00.000Z"]
 */
export function defaultSchedule(first: string, sessions = 8, timeZone = 'UTC'): Date[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(first)) throw new RangeError(`"${first}" is not a day (YYYY-MM-DD)`)
  const gaps = [3, 4]
  const firstDay = startOfDay(first, 'UTC').getTime()
  const days: number[] = []
  for (let i = 0, offset = 0; i < sessions; offset += gaps[i % 2]!, i++) days.push(offset)
  return days.map((offset) => {
    const day = new Date(firstDay + offset * 86_400_000).toISOString().slice(0, 10)
    // Past 9999-12-31 an ISO date has a six-digit year ("+010000-…"), which is not a day.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`"${first}": ${sessions} sessions would run past 9999-12-31`)
    return startOfDay(day, timeZone)
  })
}

/** The languages participants' pages and the staff app are written in. */
export const studyLanguages = ['en', 'fa'] as const

function checkLanguageAndZone(input: { language?: string; timeZone?: string }): void {
  const problems: { field: string; message: string }[] = []
  if (input.language !== undefined && !(studyLanguages as readonly string[]).includes(input.language)) problems.push({ field: 'language', message: `must be one of ${studyLanguages.join(', ')}` })
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) problems.push({ field: 'timeZone', message: 'must be an IANA time zone such as "Asia/Tehran"' })
  if (problems.length > 0) throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)
}

/**
 * A new study. Its waves are days in its time zone: the one given, else the server's own.
 *
 * @example
 * await createStudy(deps, { name: 'Balint groups, Tehran', language: 'fa', timeZone: 'Asia/Tehran' }, 'cli')
 */
export async function createStudy(deps: Deps, input: { name: string; language?: string; timeZone?: string }, actor: Actor): Promise<Study> {
  const name = input.name.trim()
  if (!name) throw new ApiError('validation_failed', 'name: a study needs a name', [{ field: 'name', message: 'must not be empty' }])
  checkLanguageAndZone(input)
  const timeZone = input.timeZone ?? serverTimeZone()
  const consent = deps.instruments.get('consent')
  if (!consent) throw new Error('the consent form is not loaded')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const study = await insertStudy(trx, { name, language: input.language, timeZone }, now)
    await insertAudit(trx, { actor, action: 'study.create', entity: 'study', entityId: study.id, details: { name, language: study.language, timeZone } }, now)
    return study
  })
}

export async function createCohort(
  deps: Deps,
  input: { studyId: string; name: string; leader?: string; coLeaders?: string[]; firstSession?: string; sessions?: number },
  actor: Actor,
): Promise<Cohort & { groupSessions: GroupSession[] }> {
  const study = await findStudy(deps.db, input.studyId)
  if (!study) throw new ApiError('not_found', `There is no study "${input.studyId}".`)
  const name = input.name.trim()
  if (!name) throw new ApiError('validation_failed', 'name: a cohort needs a name', [{ field: 'name', message: 'must not be empty' }])
  const sessions = input.sessions ?? 8
  if (!Number.isInteger(sessions) || sessions < 0 || sessions > 100) {
    throw new ApiError('validation_failed', 'sessions: must be a whole number from 0 to 100', [{ field: 'sessions', message: 'must be a whole number from 0 to 100' }])
  }
  const now = deps.now()
  let schedule: Date[]
  try {
    // Today, where the study is, when no first day is given.
    schedule = defaultSchedule(input.firstSession ?? dayInZone(now, study.timeZone), sessions, study.timeZone)
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    throw new ApiError('validation_failed', 'firstSession: must be a day, YYYY-MM-DD', [{ field: 'firstSession', message: 'must be a day, YYYY-MM-DD' }])
  }
  return deps.db.transaction().execute(async (trx) => {
    const cohort = await insertCohort(trx, { studyId: input.studyId, name, leader: input.leader ?? null, coLeaders: input.coLeaders ?? [] }, now)
    const groupSessions = await insertGroupSessions(trx, cohort.id, schedule)
    await insertAudit(trx, { actor, action: 'cohort.create', entity: 'cohort', entityId: cohort.id, details: { studyId: input.studyId, name, sessions } }, now)
    return { ...cohort, groupSessions }
  })
}

export type NewParticipant = { id: string; code: string; token: string }

/** Add participants with the next free codes. Each token is returned once, here, and stored only as a hash. */
export async function addParticipants(deps: Deps, input: { cohortId: string; count: number }, actor: Actor): Promise<NewParticipant[]> {
  if (!(await findCohort(deps.db, input.cohortId))) throw new ApiError('not_found', `There is no cohort "${input.cohortId}".`)
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > 1000) {
    throw new ApiError('validation_failed', 'count: must be a whole number from 1 to 1000', [{ field: 'count', message: 'must be a whole number from 1 to 1000' }])
  }
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const participants = await insertParticipants(trx, input.cohortId, { count: input.count, source: 'link' }, now)
    const created: NewParticipant[] = []
    for (const p of participants) {
      const { token, hash } = createToken()
      await insertLink(trx, p.id, hash, now)
      created.push({ id: p.id, code: p.code, token })
    }
    await insertAudit(trx, { actor, action: 'participant.add', entity: 'cohort', entityId: input.cohortId, details: { codes: created.map((p) => p.code) } }, now)
    return created
  })
}

/**
 * Define (or redefine) a wave: when it is open and which questionnaires it asks, in order.
 *
 * Dates that make sense (issue 17):
 * - a wave may not overlap another wave of the same cohort unless `confirmOverlap` (409
 *   `waves_overlap`, `details.waves` naming them): a participant could otherwise answer pre and post
 *   back to back, and the change would measure nothing;
 * - changing the dates of a wave that already has answers given at a link needs `confirmDateChange`
 *   (409 `wave_has_answers`, `details.responses` counting them), and is audited with the old and new
 *   dates. Imported answers are not counted: their dates are never checked against the wave's (the
 *   report's `outsideWave`), and an imported wave, which opens and closes at the instant of its import,
 *   asked for this confirmation when its form was saved unchanged (found by a review);
 * - taking out of a wave a questionnaire that already has answers in it needs `confirmRemoval` (409
 *   `instruments_have_answers`, `details.instruments` naming each with its count), and is audited:
 *   participants no longer see it there, and the report compares only the questionnaires both waves
 *   ask, so a pre → post comparison of it goes; its responses stay in the exports. Found by a
 *   newcomer's walk-through: PHQ-9 answered, then taken out with nothing asked;
 * - a pre wave that closes after the first group session, or a post wave that opens before the last,
 *   is allowed but unusual: the result's `warnings` say why (see wave-checks.ts).
 */
export async function setWave(
  deps: Deps,
  input: { cohortId: string; kind: WaveKind; opens: string; closes: string; instruments: string[]; confirmOverlap?: boolean; confirmDateChange?: boolean; confirmRemoval?: boolean },
  actor: Actor,
): Promise<Wave & { warnings: WaveWarning[] }> {
  const cohort = await findCohort(deps.db, input.cohortId)
  if (!cohort) throw new ApiError('not_found', `There is no cohort "${input.cohortId}".`)
  // Days are days in the study's time zone: the wave opens at midnight there and closes at the end of its last day there.
  const timeZone = (await findStudy(deps.db, cohort.studyId))?.timeZone ?? 'UTC'
  const problems: { field: string; message: string }[] = []
  let opensAt: Date | undefined
  let closesAt: Date | undefined
  try {
    opensAt = startOfDay(input.opens, timeZone)
  } catch (e) {
    problems.push({ field: 'opens', message: (e as Error).message })
  }
  try {
    closesAt = endOfDay(input.closes, timeZone)
  } catch (e) {
    problems.push({ field: 'closes', message: (e as Error).message })
  }
  if (opensAt && closesAt && closesAt <= opensAt) problems.push({ field: 'closes', message: 'must be after the opening date' })
  if (input.instruments.length === 0) problems.push({ field: 'instruments', message: 'name at least one questionnaire' })
  input.instruments.forEach((id, i) => {
    const instrument = deps.instruments.get(id)
    if (!instrument) problems.push({ field: `instruments[${i}]`, message: `"${id}" is not a loaded instrument (see "instruments list")` })
    else if (instrument.kind !== 'questionnaire') problems.push({ field: `instruments[${i}]`, message: `"${id}" is a ${instrument.kind} form, not a questionnaire` })
  })
  if (new Set(input.instruments).size !== input.instruments.length) problems.push({ field: 'instruments', message: 'an instrument is listed twice' })
  if (problems.length > 0) throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)
  const now = deps.now()
  const dates = { opensAt: opensAt!.toISOString(), closesAt: closesAt!.toISOString() }
  // Checked inside the transaction that writes, so two set-ups at once cannot both pass the check.
  return deps.db.transaction().execute(async (trx) => {
    const waves = await listWaves(trx, input.cohortId)
    const overlapping = overlappingWaves(waves, { kind: input.kind, ...dates })
    if (overlapping.length > 0 && !input.confirmOverlap) {
      throw new ApiError('waves_overlap', `The ${input.kind} wave would overlap the ${overlapping.map((w) => w.kind).join(' and ')} wave of this cohort; confirm to allow it.`, {
        waves: overlapping.map((w) => ({ kind: w.kind, opensAt: w.opensAt, closesAt: w.closesAt })),
      })
    }
    const previous = waves.find((w) => w.kind === input.kind)
    const datesChange = previous !== undefined && (previous.opensAt !== dates.opensAt || previous.closesAt !== dates.closesAt)
    const responses = datesChange ? await countLinkResponsesOfWave(trx, previous.id) : 0
    if (responses > 0 && !input.confirmDateChange) {
      throw new ApiError('wave_has_answers', `The ${input.kind} wave already has ${responses} responses; confirm to change its dates.`, { responses, opensAt: previous!.opensAt, closesAt: previous!.closesAt })
    }
    const answeredRemoved = previous ? await countResponsesOfWaveByInstrument(trx, previous.id, previous.instruments.filter((id) => !input.instruments.includes(id))) : []
    if (answeredRemoved.length > 0 && !input.confirmRemoval) {
      throw new ApiError(
        'instruments_have_answers',
        `The ${input.kind} wave has answers to ${answeredRemoved.map((i) => `${i.id} (${i.responses})`).join(', ')}, which this takes out of it: participants would no longer see them there, and the report would no longer compare them (they stay in the exports); confirm to take them out.`,
        { instruments: answeredRemoved },
      )
    }
    const wave = await upsertWave(trx, { cohortId: input.cohortId, kind: input.kind, ...dates, instruments: input.instruments })
    await insertAudit(trx, { actor, action: 'wave.set', entity: 'wave', entityId: wave.id, details: { kind: input.kind, opensAt: wave.opensAt, closesAt: wave.closesAt, instruments: input.instruments, ...(overlapping.length > 0 ? { overlapConfirmed: overlapping.map((w) => w.kind) } : {}) } }, now)
    if (datesChange && responses > 0) {
      await insertAudit(trx, { actor, action: 'wave.dates_change', entity: 'wave', entityId: wave.id, details: { kind: input.kind, from: { opensAt: previous!.opensAt, closesAt: previous!.closesAt }, to: dates, responses } }, now)
    }
    if (answeredRemoved.length > 0) {
      await insertAudit(trx, { actor, action: 'wave.instruments_removed', entity: 'wave', entityId: wave.id, details: { kind: input.kind, instruments: answeredRemoved } }, now)
    }
    // The study's invitations and reminders follow the wave's new dates.
    await scheduleWaveMessages(trx, cohort.studyId, wave, now)
    return { ...wave, warnings: waveWarnings(wave, await listGroupSessions(trx, input.cohortId), timeZone) }
  })
}

/**
 * Replace a participant's links with a new one (a lost phone, a forwarded message, a message they
 * cannot find): every link of theirs stops working now (`endLinks`), and answers 410
 * `link_replaced`, not the neutral 404 of a revoked one. A page still open under an old link then
 * keeps what it holds unsent, and the new link opened on the same phone sends it: with a revoked
 * link's 404, the page let go of answers given offline, and the new link's page said "saved" (found
 * by a review). Whoever holds an old link learns only that a newer one exists.
 */
export async function reissueLink(deps: Deps, participantId: string, actor: Actor): Promise<{ code: string; token: string }> {
  const participant = await findParticipant(deps.db, participantId)
  if (!participant) throw new ApiError('not_found', 'No such participant.')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    await endLinks(trx, participantId, now)
    const { token, hash } = createToken()
    await insertLink(trx, participantId, hash, now)
    await insertAudit(trx, { actor, action: 'participant.link_reissue', entity: 'participant', entityId: participantId }, now)
    return { code: participant.code, token }
  })
}

/** Revoke a participant's link without issuing another: the link shows the neutral "not active" page. */
export async function revokeLink(deps: Deps, participantId: string, actor: Actor): Promise<void> {
  if (!(await findParticipant(deps.db, participantId))) throw new ApiError('not_found', 'No such participant.')
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await revokeLinks(trx, participantId, now)
    await insertAudit(trx, { actor, action: 'participant.link_revoke', entity: 'participant', entityId: participantId }, now)
  })
}

/**
 * A stored instant (ISO) moved by `move` to the same day in another zone, or left as it is when its
 * day is not one dates.ts takes (before 1900 or after 9999: stored by a request before such days were
 * refused; Intl names year 0 "1", which would be read as 2001).
 */
function sameDayIn(stored: string, move: () => Date): string {
  const year = new Date(stored).getUTCFullYear()
  if (year < 1900 || year > 9999) return stored
  try {
    return move().toISOString()
  } catch (error) {
    if (error instanceof RangeError) return stored
    throw error
  }
}

export async function updateStudySettings(
  deps: Deps,
  studyId: string,
  settings: { name?: string; minCellSize?: number; participantFeedback?: boolean; supportContact?: string | null; consentInstrument?: string; language?: string; timeZone?: string; primaryOutcomes?: string[] },
  actor: Actor,
): Promise<Study> {
  checkLanguageAndZone(settings)
  if (settings.consentInstrument !== undefined && deps.instruments.get(settings.consentInstrument)?.kind !== 'consent') {
    const message = `"${settings.consentInstrument}" is not a loaded consent form`
    throw new ApiError('validation_failed', `consentInstrument: ${message}`, [{ field: 'consentInstrument', message }])
  }
  // A primary outcome must be a scale we score, and the score itself, not another metric of it
  // (WHO-5 percentage is raw × 4: name "who-5/raw").
  for (const key of settings.primaryOutcomes ?? []) {
    const [instrumentId, scaleId] = key.split('/')
    const spec = deps.instruments.questionnaire(instrumentId!)?.scoring.scales.find((s) => s.id === scaleId)
    const message = !spec ? `"${key}" is not a scale of a loaded questionnaire` : spec.sameScoreAs ? `"${key}" is another metric of "${instrumentId}/${spec.sameScoreAs}": name that one` : null
    if (message) throw new ApiError('validation_failed', `primaryOutcomes: ${message}`, [{ field: 'primaryOutcomes', message }])
  }
  const now = deps.now()
  const before = await findStudy(deps.db, studyId)
  return deps.db.transaction().execute(async (trx) => {
    await updateStudy(trx, studyId, settings)
    if (before && settings.timeZone !== undefined && settings.timeZone !== before.timeZone) {
      // The announced days stay the same days: a wave of 1 to 7 March keeps those days in the new
      // zone, and so does a group session on 9 March (sessions are days there too: defaultSchedule).
      for (const cohort of await listCohorts(trx, studyId)) {
        const to = settings.timeZone
        for (const wave of await listWaves(trx, cohort.id)) {
          await updateWaveTimes(trx, wave.id, {
            opensAt: sameDayIn(wave.opensAt, () => startOfDay(dayInZone(new Date(wave.opensAt), before.timeZone), to)),
            closesAt: sameDayIn(wave.closesAt, () => endOfDay(lastDayInZone(wave.closesAt, before.timeZone), to)),
          })
        }
        for (const session of await listGroupSessions(trx, cohort.id)) {
          await updateGroupSessionStart(trx, session.id, sameDayIn(session.startsAt, () => startOfDay(dayInZone(new Date(session.startsAt), before.timeZone), to)))
        }
      }
    }
    await insertAudit(trx, { actor, action: 'study.settings', entity: 'study', entityId: studyId, details: settings }, now)
    return (await findStudy(trx, studyId))!
  })
}

/**
 * Whether a participant can no longer be marked present at a group session: they have withdrawn and
 * either asked for their data to be deleted (a mark at any session would be data about them again,
 * after their attendance marks were deleted), or the session falls on a day after the day they
 * withdrew, in the study's time zone (sessions are days; on the day itself they may have come to the
 * session before withdrawing). Marks made before the withdrawal and kept stay as they are.
 *
 * A present mark counts as a session attended only where this is false: the same rule in SQL is
 * `countedMark` in server/db/repositories/report-data.ts, which every count of sessions attended
 * uses (reports, wide.csv). Change one, change the other.
 *
 * @example
 * attendanceClosed({ startsAt: '2026-03-05T00:00:00.000Z' }, { withdrawnAt: '2026-03-02T09:00:00.000Z' }, false, 'UTC') // true
 * attendanceClosed({ startsAt: '2026-03-02T00:00:00.000Z' }, { withdrawnAt: '2026-03-02T09:00:00.000Z' }, false, 'UTC') // false
 */
export function attendanceClosed(session: Pick<GroupSession, 'startsAt'>, participant: Pick<Participant, 'withdrawnAt'>, dataDeleted: boolean, timeZone: string): boolean {
  if (participant.withdrawnAt === null) return false
  if (dataDeleted) return true
  return dayInZone(new Date(session.startsAt), timeZone) > dayInZone(new Date(participant.withdrawnAt), timeZone)
}

/**
 * A participant row of the attendance sheet: code only (a group leader sees nothing of anyone's
 * answers), and for one who has withdrawn the day they withdrew (in the study's time zone) and the
 * sessions they can no longer be marked at (`attendanceClosed`), which the page shows as withdrawn.
 */
export type AttendanceSheetRow = { id: string; code: string } | { id: string; code: string; withdrawn: { on: string; closedSessions: string[] } }

/**
 * The attendance sheet of a cohort: its sessions, its participants (withdrawn ones too, marked as
 * such, so that marks kept from before their withdrawal stay visible) and their marks, but for those
 * at sessions closed to their participant (`attendanceClosed`), which the server took before it
 * refused them: the page shows a dash there, and counts the sessions attended from the marks listed,
 * as the reports count them (`countedMark` in server/db/repositories/report-data.ts).
 * `not_found` for an unknown cohort.
 */
export async function attendanceSheet(
  deps: Deps,
  cohortId: string,
): Promise<{ sessions: GroupSession[]; participants: AttendanceSheetRow[]; attendance: { groupSessionId: string; participantId: string; present: boolean }[] }> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const study = (await findStudy(deps.db, cohort.studyId))!
  const [sessions, participants, attendance] = await Promise.all([listGroupSessions(deps.db, cohort.id), listParticipants(deps.db, cohort.id), listAttendance(deps.db, cohort.id)])
  const withdrawn = participants.filter((p) => p.withdrawnAt !== null)
  const deleted = await listDeletedParticipantIds(deps.db, withdrawn.map((p) => p.id))
  const closedSessions = new Map(withdrawn.map((p) => [p.id, sessions.filter((s) => attendanceClosed(s, p, deleted.has(p.id), study.timeZone)).map((s) => s.id)]))
  return {
    sessions,
    participants: participants.map((p) =>
      p.withdrawnAt === null
        ? { id: p.id, code: p.code }
        : {
            id: p.id,
            code: p.code,
            withdrawn: { on: dayInZone(new Date(p.withdrawnAt), study.timeZone), closedSessions: closedSessions.get(p.id)! },
          },
    ),
    attendance: attendance.filter((a) => !closedSessions.get(a.participantId)?.includes(a.groupSessionId)),
  }
}

/**
 * Mark who was present at a group session. Only the cohort's own participants can be marked (else
 * 422 naming `attendance[i].participantId`). A participant who has withdrawn cannot be marked present
 * where `attendanceClosed` says so: 409 `withdrawn`, details `{ participants: [{ field, participantId,
 * code, withdrawnOn }] }`, and nothing is written, not even the other marks. Marked absent there, an
 * existing mark is set to absent (clearing one made before this rule) and otherwise nothing is stored:
 * a page loaded before the withdrawal sends its whole column, and absent is all there is to say.
 *
 * A withdrawal at the same moment does not slip between the check and the write: on PostgreSQL the
 * save locks the rows of the participants it marks before it reads them (`lockParticipants`), as a
 * withdrawal locks its participant's, so one waits for the other (on SQLite one transaction writes at
 * a time). It reads that session's marks and the deletions of the withdrawn participants it marks, no
 * more.
 */
export async function recordAttendance(
  deps: Deps,
  groupSessionId: string,
  marks: { participantId: string; present: boolean }[],
  actor: Actor,
): Promise<void> {
  const now = deps.now()
  // Read inside the transaction (SQLite's begin IMMEDIATE), so a withdrawal that deletes the marks
  // cannot slip in between the check and the write.
  await deps.db.transaction().execute(async (trx) => {
    const session = await findGroupSession(trx, groupSessionId)
    if (!session) throw new ApiError('not_found', 'No such group session.')
    const cohort = (await findCohort(trx, session.cohortId))!
    const study = (await findStudy(trx, cohort.studyId))!
    // Locked before anything is decided from them (PostgreSQL; SQLite has one writer): a withdrawal
    // under way finishes first and this save then sees it, and one that comes now waits for this save.
    const locked = await lockParticipants(trx, marks.map((m) => m.participantId))
    const members = new Map(locked.filter((p) => p.cohortId === session.cohortId).map((p) => [p.id, p]))
    const problems = marks.flatMap((m, i) => (members.has(m.participantId) ? [] : [{ field: `attendance[${i}].participantId`, message: 'is not a participant of this cohort' }]))
    if (problems.length > 0) throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)

    const withdrawn = [...members.values()].filter((p) => p.withdrawnAt !== null).map((p) => p.id)
    const deleted = await listDeletedParticipantIds(trx, withdrawn)
    const marked = new Set((await listAttendanceOfSession(trx, session.id, withdrawn)).map((a) => a.participantId))
    const closed = (m: { participantId: string }) => attendanceClosed(session, members.get(m.participantId)!, deleted.has(m.participantId), study.timeZone)
    const refused = marks.flatMap((m, i) => {
      const p = members.get(m.participantId)!
      return m.present && closed(m) ? [{ field: `attendance[${i}].participantId`, participantId: p.id, code: p.code, withdrawnOn: dayInZone(new Date(p.withdrawnAt!), study.timeZone) }] : []
    })
    if (refused.length > 0) {
      const first = refused[0]!
      throw new ApiError(
        'withdrawn',
        `${first.field}: ${first.code} withdrew from the study on ${first.withdrawnOn} and cannot be marked present at session ${session.seq}${refused.length > 1 ? ` (nor can ${refused.length - 1} more)` : ''}; nothing was saved.`,
        { participants: refused },
      )
    }
    const written = marks.filter((m) => !closed(m) || marked.has(m.participantId))
    await upsertAttendance(trx, groupSessionId, written, now)
    await insertAudit(trx, { actor, action: 'attendance.record', entity: 'group_session', entityId: groupSessionId, details: { marks: written.length } }, now)
  })
}

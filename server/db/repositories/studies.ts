import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, WaveKind, DataSource } from '../schema'
import { newId } from '../ids'
import { preparedQuery } from '../prepared'

export type Study = {
  id: string
  name: string
  consentInstrument: string
  createdAt: string
  minCellSize: number
  participantFeedback: boolean
  supportContact: string | null
  /** The language participants' pages open in: "en" or "fa". */
  language: string
  /** IANA time zone in which the study's waves open and close. */
  timeZone: string
  /** "instrument/scale" keys of the primary outcomes; the report adjusts only the others. */
  primaryOutcomes: string[]
  /** The demographics form asked at enrolment: its instrument id (migration 0135; "demographics" unless the study chose another). */
  demographicsInstrument: string
}

function toStudy(r: Selectable<Database['study']>): Study {
  return {
    id: r.id,
    name: r.name,
    consentInstrument: r.consent_instrument,
    createdAt: r.created_at,
    minCellSize: r.min_cell_size,
    participantFeedback: r.participant_feedback === 1,
    supportContact: r.support_contact,
    language: r.language,
    timeZone: r.time_zone,
    primaryOutcomes: JSON.parse(r.primary_outcomes) as string[],
    demographicsInstrument: r.demographics_instrument ?? 'demographics',
  }
}
export type Cohort = { id: string; studyId: string; name: string; leader: string | null; coLeaders: string[]; createdAt: string }
export type GroupSession = { id: string; cohortId: string; seq: number; startsAt: string }
export type Wave = { id: string; cohortId: string; kind: WaveKind; opensAt: string; closesAt: string; instruments: string[]; source: DataSource }

export async function insertStudy(db: Kysely<Database>, study: { name: string; consentInstrument?: string; language?: string; timeZone?: string }, now: Date): Promise<Study> {
  const id = newId()
  await db
    .insertInto('study')
    .values({
      id,
      name: study.name,
      consent_instrument: study.consentInstrument ?? 'consent',
      created_at: now.toISOString(),
      ...(study.language !== undefined ? { language: study.language } : {}),
      ...(study.timeZone !== undefined ? { time_zone: study.timeZone } : {}),
    })
    .execute()
  return (await findStudy(db, id))!
}

export async function findStudy(db: Kysely<Database>, id: string): Promise<Study | undefined> {
  const r = await db.selectFrom('study').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toStudy(r)
}

export async function listStudies(db: Kysely<Database>): Promise<Study[]> {
  const rows = await db.selectFrom('study').selectAll().orderBy('created_at').execute()
  return rows.map(toStudy)
}

export async function insertCohort(
  db: Kysely<Database>,
  cohort: { studyId: string; name: string; leader?: string | null; coLeaders?: string[] },
  now: Date,
): Promise<Cohort> {
  const row = {
    id: newId(),
    study_id: cohort.studyId,
    name: cohort.name,
    leader: cohort.leader ?? null,
    co_leaders: JSON.stringify(cohort.coLeaders ?? []),
    created_at: now.toISOString(),
  }
  await db.insertInto('cohort').values(row).execute()
  return toCohort(row)
}

function toCohort(r: Database['cohort']): Cohort {
  return { id: r.id, studyId: r.study_id, name: r.name, leader: r.leader, coLeaders: JSON.parse(r.co_leaders) as string[], createdAt: r.created_at }
}

export async function findCohort(db: Kysely<Database>, id: string): Promise<Cohort | undefined> {
  const r = await db.selectFrom('cohort').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toCohort(r)
}

export async function listCohorts(db: Kysely<Database>, studyId: string): Promise<Cohort[]> {
  const rows = await db.selectFrom('cohort').selectAll().where('study_id', '=', studyId).orderBy('created_at').execute()
  return rows.map(toCohort)
}

/** The kinds of wave any cohort of the study has (pre, post, follow-up), each once, in no particular order. */
export async function listStudyWaveKinds(db: Kysely<Database>, studyId: string): Promise<WaveKind[]> {
  const rows = await db.selectFrom('wave').innerJoin('cohort', 'cohort.id', 'wave.cohort_id').select('wave.kind').distinct().where('cohort.study_id', '=', studyId).execute()
  return rows.map((r) => r.kind)
}

export async function insertGroupSessions(db: Kysely<Database>, cohortId: string, startsAt: Date[]): Promise<GroupSession[]> {
  const rows = startsAt.map((d, i) => ({ id: newId(), cohort_id: cohortId, seq: i + 1, starts_at: d.toISOString() }))
  if (rows.length > 0) await db.insertInto('group_session').values(rows).execute()
  return rows.map((r) => ({ id: r.id, cohortId: r.cohort_id, seq: r.seq, startsAt: r.starts_at }))
}

export async function listGroupSessions(db: Kysely<Database>, cohortId: string): Promise<GroupSession[]> {
  const rows = await db.selectFrom('group_session').selectAll().where('cohort_id', '=', cohortId).orderBy('seq').execute()
  return rows.map((r) => ({ id: r.id, cohortId: r.cohort_id, seq: r.seq, startsAt: r.starts_at }))
}

/** Move a group session to another start (its day in a study's new time zone). */
export async function updateGroupSessionStart(db: Kysely<Database>, id: string, startsAt: string): Promise<void> {
  await db.updateTable('group_session').set({ starts_at: startsAt }).where('id', '=', id).execute()
}

export async function listWaves(db: Kysely<Database>, cohortId: string): Promise<Wave[]> {
  const waves = await db
    .selectFrom('wave')
    .selectAll()
    .where('cohort_id', '=', cohortId)
    .orderBy('opens_at')
    // Waves opening together (the demo opens pre and post at once) in study order, not index order.
    .orderBy(sql`case kind when 'pre' then 0 when 'post' then 1 else 2 end`)
    .execute()
  if (waves.length === 0) return []
  const instruments = await db
    .selectFrom('wave_instrument')
    .selectAll()
    .where(
      'wave_id',
      'in',
      waves.map((w) => w.id),
    )
    .orderBy('position')
    .execute()
  return waves.map((w) => toWave(w, instruments.filter((i) => i.wave_id === w.id).map((i) => i.instrument_id)))
}

/** A wave row with its instruments, in order, as the domain sees it. */
function toWave(w: Pick<Database['wave'], 'id' | 'cohort_id' | 'kind' | 'opens_at' | 'closes_at' | 'source'>, instruments: string[]): Wave {
  return { id: w.id, cohortId: w.cohort_id, kind: w.kind, opensAt: w.opens_at, closesAt: w.closes_at, source: w.source, instruments }
}

const waveOfKind = preparedQuery<{ cohortId: string; kind: WaveKind }>()((db, v) =>
  db
    .selectFrom('wave')
    .leftJoin('wave_instrument', 'wave_instrument.wave_id', 'wave.id')
    .select(['wave.id', 'wave.cohort_id', 'wave.kind', 'wave.opens_at', 'wave.closes_at', 'wave.source', 'wave_instrument.instrument_id'])
    .where('wave.cohort_id', '=', v.cohortId)
    .where('wave.kind', '=', v.kind)
    .orderBy('wave_instrument.position'),
)

/**
 * The cohort's wave of this kind with its instruments in order, in one statement (a participant's
 * every save asks it: `listWaves` takes two), prepared once.
 */
export async function findWaveOfKind(db: Kysely<Database>, cohortId: string, kind: WaveKind): Promise<Wave | undefined> {
  const rows = await waveOfKind(db, { cohortId, kind })
  const w = rows[0]
  if (!w) return undefined
  return toWave(w, rows.flatMap((r) => (r.instrument_id === null ? [] : [r.instrument_id])))
}

/** Create or replace the wave of this kind, with its instruments in order. */
export async function upsertWave(
  db: Kysely<Database>,
  wave: { cohortId: string; kind: WaveKind; opensAt: string; closesAt: string; instruments: string[]; source?: DataSource },
): Promise<Wave> {
  const existing = await db.selectFrom('wave').select('id').where('cohort_id', '=', wave.cohortId).where('kind', '=', wave.kind).executeTakeFirst()
  const id = existing?.id ?? newId()
  if (existing) {
    await db.updateTable('wave').set({ opens_at: wave.opensAt, closes_at: wave.closesAt }).where('id', '=', id).execute()
    await db.deleteFrom('wave_instrument').where('wave_id', '=', id).execute()
  } else {
    await db
      .insertInto('wave')
      .values({ id, cohort_id: wave.cohortId, kind: wave.kind, opens_at: wave.opensAt, closes_at: wave.closesAt, source: wave.source ?? 'link' })
      .execute()
  }
  if (wave.instruments.length > 0) {
    await db
      .insertInto('wave_instrument')
      .values(wave.instruments.map((instrument_id, position) => ({ wave_id: id, position, instrument_id })))
      .execute()
  }
  return { id, cohortId: wave.cohortId, kind: wave.kind, opensAt: wave.opensAt, closesAt: wave.closesAt, instruments: wave.instruments, source: wave.source ?? 'link' }
}

/**
 * Add instruments to the end of a wave's list, keeping those already there in place; instruments
 * already listed are left alone. Returns the ids actually added.
 */
export async function appendWaveInstruments(db: Kysely<Database>, waveId: string, instruments: string[]): Promise<string[]> {
  const listed = await db.selectFrom('wave_instrument').select(['position', 'instrument_id']).where('wave_id', '=', waveId).execute()
  const present = new Set(listed.map((r) => r.instrument_id))
  const added = [...new Set(instruments)].filter((id) => !present.has(id))
  if (added.length === 0) return []
  const next = Math.max(-1, ...listed.map((r) => r.position)) + 1
  await db
    .insertInto('wave_instrument')
    .values(added.map((instrument_id, i) => ({ wave_id: waveId, position: next + i, instrument_id })))
    .execute()
  return added
}

export async function updateStudy(
  db: Kysely<Database>,
  id: string,
  settings: { name?: string; minCellSize?: number; participantFeedback?: boolean; supportContact?: string | null; consentInstrument?: string; language?: string; timeZone?: string; primaryOutcomes?: string[] },
): Promise<void> {
  const set = {
    ...(settings.consentInstrument !== undefined ? { consent_instrument: settings.consentInstrument } : {}),
    ...(settings.name !== undefined ? { name: settings.name } : {}),
    ...(settings.minCellSize !== undefined ? { min_cell_size: settings.minCellSize } : {}),
    ...(settings.participantFeedback !== undefined ? { participant_feedback: settings.participantFeedback ? 1 : 0 } : {}),
    ...(settings.supportContact !== undefined ? { support_contact: settings.supportContact } : {}),
    ...(settings.language !== undefined ? { language: settings.language } : {}),
    ...(settings.timeZone !== undefined ? { time_zone: settings.timeZone } : {}),
    ...(settings.primaryOutcomes !== undefined ? { primary_outcomes: JSON.stringify(settings.primaryOutcomes) } : {}),
  }
  if (Object.keys(set).length > 0) await db.updateTable('study').set(set).where('id', '=', id).execute()
}

export async function findGroupSession(db: Kysely<Database>, id: string): Promise<GroupSession | undefined> {
  const r = await db.selectFrom('group_session').selectAll().where('id', '=', id).executeTakeFirst()
  return r && { id: r.id, cohortId: r.cohort_id, seq: r.seq, startsAt: r.starts_at }
}

export async function upsertAttendance(db: Kysely<Database>, groupSessionId: string, marks: { participantId: string; present: boolean }[], now: Date): Promise<void> {
  for (const m of marks) {
    await db
      .insertInto('attendance')
      .values({ group_session_id: groupSessionId, participant_id: m.participantId, present: m.present ? 1 : 0, recorded_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['group_session_id', 'participant_id']).doUpdateSet({ present: m.present ? 1 : 0, recorded_at: now.toISOString() }))
      .execute()
  }
}

/** Delete a participant's attendance marks (withdrawal with deletion). Returns how many went. */
export async function deleteAttendanceOfParticipant(db: Kysely<Database>, participantId: string): Promise<number> {
  const result = await db.deleteFrom('attendance').where('participant_id', '=', participantId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Attendance marks of a cohort's sessions. */
export async function listAttendance(db: Kysely<Database>, cohortId: string): Promise<{ groupSessionId: string; participantId: string; present: boolean }[]> {
  const rows = await db
    .selectFrom('attendance')
    .innerJoin('group_session', 'group_session.id', 'attendance.group_session_id')
    .select(['attendance.group_session_id', 'attendance.participant_id', 'attendance.present'])
    .where('group_session.cohort_id', '=', cohortId)
    .execute()
  return rows.map((r) => ({ groupSessionId: r.group_session_id, participantId: r.participant_id, present: r.present === 1 }))
}

/** Attendance marks of one group session, of these participants only. */
export async function listAttendanceOfSession(db: Kysely<Database>, groupSessionId: string, participantIds: readonly string[]): Promise<{ participantId: string; present: boolean }[]> {
  if (participantIds.length === 0) return []
  const rows = await db
    .selectFrom('attendance')
    .select(['participant_id', 'present'])
    .where('group_session_id', '=', groupSessionId)
    .where('participant_id', 'in', [...new Set(participantIds)])
    .execute()
  return rows.map((r) => ({ participantId: r.participant_id, present: r.present === 1 }))
}

/** Move a wave's opening and closing instants (its study's time zone changed), keeping its questionnaires. */
export async function updateWaveTimes(db: Kysely<Database>, waveId: string, times: { opensAt: string; closesAt: string }): Promise<void> {
  await db.updateTable('wave').set({ opens_at: times.opensAt, closes_at: times.closesAt }).where('id', '=', waveId).execute()
}

/** Study-specific versions of loaded forms (migration 0135) and the study's choice of demographics form. */
import type { Kysely } from 'kysely'
import type { Database } from '../schema'

/** One choice a researcher added to a choice list: its stored value and its label in each language. */
export type AddedChoice = { question: string; value: string; text: Record<string, string> }

export type StudyFormVersion = {
  instrumentId: string
  version: string
  studyId: string
  seq: number
  baseVersion: string
  /** Every choice added so far, in the order they were added. */
  additions: AddedChoice[]
  createdBy: string
  createdAt: string
}

function toVersion(r: { instrument_id: string; version: string; study_id: string; seq: number; base_version: string; additions: string; created_by: string; created_at: string }): StudyFormVersion {
  return {
    instrumentId: r.instrument_id,
    version: r.version,
    studyId: r.study_id,
    seq: Number(r.seq),
    baseVersion: r.base_version,
    additions: JSON.parse(r.additions) as AddedChoice[],
    createdBy: r.created_by,
    createdAt: r.created_at,
  }
}

/** The study-specific version `instrumentId@version`, whichever study made it. */
export async function findStudyFormVersion(db: Kysely<Database>, instrumentId: string, version: string): Promise<StudyFormVersion | undefined> {
  const r = await db.selectFrom('study_form').selectAll().where('instrument_id', '=', instrumentId).where('version', '=', version).executeTakeFirst()
  return r && toVersion(r)
}

/** The study's newest version of a form, or undefined when it has added nothing to it. */
export async function findLatestStudyFormVersion(db: Kysely<Database>, studyId: string, instrumentId: string): Promise<StudyFormVersion | undefined> {
  const r = await db.selectFrom('study_form').selectAll().where('study_id', '=', studyId).where('instrument_id', '=', instrumentId).orderBy('seq', 'desc').limit(1).executeTakeFirst()
  return r && toVersion(r)
}

/** Every study-specific version a study made, oldest first. */
export async function listStudyFormVersions(db: Kysely<Database>, studyId: string): Promise<StudyFormVersion[]> {
  const rows = await db.selectFrom('study_form').selectAll().where('study_id', '=', studyId).orderBy('instrument_id').orderBy('seq').execute()
  return rows.map(toVersion)
}

/** Store a new version. The unique (study, form, seq) index refuses a second version with the same number. */
export async function insertStudyFormVersion(db: Kysely<Database>, v: Omit<StudyFormVersion, 'createdAt'>, now: Date): Promise<void> {
  await db
    .insertInto('study_form')
    .values({
      instrument_id: v.instrumentId,
      version: v.version,
      study_id: v.studyId,
      seq: v.seq,
      base_version: v.baseVersion,
      additions: JSON.stringify(v.additions),
      created_by: v.createdBy,
      created_at: now.toISOString(),
    })
    .execute()
}

/** Set the demographics form a study asks at enrolment. */
export async function setDemographicsInstrument(db: Kysely<Database>, studyId: string, instrumentId: string): Promise<void> {
  await db.updateTable('study').set({ demographics_instrument: instrumentId }).where('id', '=', studyId).execute()
}

/** Whether anyone in the study has begun a form asked once (enrolment) with this id. */
export async function countEnrolmentResponses(db: Kysely<Database>, studyId: string, instrumentId: string): Promise<number> {
  const r = await db
    .selectFrom('response')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cohort.study_id', '=', studyId)
    .where('response.wave_id', 'is', null)
    .where('response.instrument_id', '=', instrumentId)
    .executeTakeFirst()
  return Number(r?.n ?? 0)
}

import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newId } from '../ids'

export type StoredPolicy = { minN: number; orderMinN: number; countRedactAtOrBelow: number; countRounding: number }

export async function findDisclosurePolicy(db: Kysely<Database>, studyId: string): Promise<StoredPolicy | undefined> {
  const r = await db.selectFrom('disclosure_policy').selectAll().where('study_id', '=', studyId).executeTakeFirst()
  return r && { minN: r.min_n, orderMinN: r.order_min_n, countRedactAtOrBelow: r.count_redact_at_or_below, countRounding: r.count_rounding }
}

export async function upsertDisclosurePolicy(db: Kysely<Database>, studyId: string, policy: StoredPolicy, by: string, now: Date): Promise<void> {
  const values = { min_n: policy.minN, order_min_n: policy.orderMinN, count_redact_at_or_below: policy.countRedactAtOrBelow, count_rounding: policy.countRounding, updated_at: now.toISOString(), updated_by: by }
  await db
    .insertInto('disclosure_policy')
    .values({ study_id: studyId, ...values })
    .onConflict((oc) => oc.column('study_id').doUpdateSet(values))
    .execute()
}

export type StoredRelease<Content> = {
  id: string
  studyId: string
  cohortId: string
  releasedAt: string
  releasedBy: { id: string; name: string }
  policy: StoredPolicy
  content: Content
  /** Figure key → ids of the participants it was computed from. */
  basis: Record<string, string[]>
}

export async function insertRelease<Content>(
  db: Kysely<Database>,
  release: { studyId: string; cohortId: string; releasedBy: { id: string; name: string }; policy: StoredPolicy; content: Content; basis: Record<string, string[]> },
  now: Date,
): Promise<StoredRelease<Content>> {
  const row = rowOf(release, now)
  await db.insertInto('program_lead_release').values({ ...row, cohort_id: release.cohortId }).execute()
  return { ...release, id: row.id, releasedAt: row.released_at }
}

/** The columns a cohort's and a study-wide release share, as stored (JSON as text). */
function rowOf<Content>(release: { studyId: string; releasedBy: { id: string; name: string }; policy: StoredPolicy; content: Content; basis: Record<string, string[]> }, now: Date): Database['study_release'] {
  return {
    id: newId(),
    study_id: release.studyId,
    released_at: now.toISOString(),
    released_by: release.releasedBy.id,
    released_by_name: release.releasedBy.name,
    policy: JSON.stringify(release.policy),
    content: JSON.stringify(release.content),
    basis: JSON.stringify(release.basis),
  }
}

type Row = Database['program_lead_release']
type StudyRow = Database['study_release']

/** The shared columns read back. */
function fromRow<Content>(r: { [K in keyof StudyRow]: StudyRow[K] }): Omit<StoredRelease<Content>, 'cohortId'> {
  return {
    id: r.id,
    studyId: r.study_id,
    releasedAt: r.released_at,
    releasedBy: { id: r.released_by, name: r.released_by_name },
    policy: JSON.parse(r.policy) as StoredPolicy,
    content: JSON.parse(r.content) as Content,
    basis: JSON.parse(r.basis) as Record<string, string[]>,
  }
}

function toRelease<Content>(r: { [K in keyof Row]: Row[K] }): StoredRelease<Content> {
  return { ...fromRow<Content>(r), cohortId: r.cohort_id }
}

/** The cohort's releases, oldest first. */
export async function listReleasesOfCohort<Content>(db: Kysely<Database>, cohortId: string): Promise<StoredRelease<Content>[]> {
  const rows = await db.selectFrom('program_lead_release').selectAll().where('cohort_id', '=', cohortId).orderBy('released_at').orderBy('id').execute()
  return rows.map((r) => toRelease<Content>(r))
}

export async function findRelease<Content>(db: Kysely<Database>, id: string): Promise<StoredRelease<Content> | undefined> {
  const r = await db.selectFrom('program_lead_release').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toRelease<Content>(r)
}

/** A study-wide release as stored: a cohort release's fields, `cohortId` null. */
export type StoredStudyRelease<Content> = Omit<StoredRelease<Content>, 'cohortId'> & { cohortId: null }

function toStudyRelease<Content>(r: { [K in keyof StudyRow]: StudyRow[K] }): StoredStudyRelease<Content> {
  return { ...fromRow<Content>(r), cohortId: null }
}

export async function insertStudyRelease<Content>(
  db: Kysely<Database>,
  release: { studyId: string; releasedBy: { id: string; name: string }; policy: StoredPolicy; content: Content; basis: Record<string, string[]> },
  now: Date,
): Promise<StoredStudyRelease<Content>> {
  const row = rowOf(release, now)
  await db.insertInto('study_release').values(row).execute()
  return { ...release, id: row.id, cohortId: null, releasedAt: row.released_at }
}

/** The study-wide releases of a study, oldest first. */
export async function listStudyReleases<Content>(db: Kysely<Database>, studyId: string): Promise<StoredStudyRelease<Content>[]> {
  const rows = await db.selectFrom('study_release').selectAll().where('study_id', '=', studyId).orderBy('released_at').orderBy('id').execute()
  return rows.map((r) => toStudyRelease<Content>(r))
}

export async function findStudyRelease<Content>(db: Kysely<Database>, id: string): Promise<StoredStudyRelease<Content> | undefined> {
  const r = await db.selectFrom('study_release').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toStudyRelease<Content>(r)
}

/**
 * Every release of a study that a reader could combine, cohort-wide and study-wide, oldest first:
 * what the differencing check of a new release runs against.
 */
export async function listAllReleasesOfStudy(db: Kysely<Database>, studyId: string): Promise<{ id: string; releasedAt: string; basis: Record<string, string[]> }[]> {
  const [cohortWide, studyWide] = await Promise.all([
    db.selectFrom('program_lead_release').select(['id', 'released_at', 'basis']).where('study_id', '=', studyId).execute(),
    db.selectFrom('study_release').select(['id', 'released_at', 'basis']).where('study_id', '=', studyId).execute(),
  ])
  return [...cohortWide, ...studyWide]
    .map((r) => ({ id: r.id, releasedAt: r.released_at, basis: JSON.parse(r.basis) as Record<string, string[]> }))
    .sort((a, b) => (a.releasedAt === b.releasedAt ? a.id.localeCompare(b.id) : a.releasedAt < b.releasedAt ? -1 : 1))
}

/** Every release row of a database as stored, cohort and study-wide (for `balint restore`, which carries them over). */
export async function listReleaseRows(db: Kysely<Database>): Promise<{ cohortWide: Database['program_lead_release'][]; studyWide: Database['study_release'][] }> {
  const [cohortWide, studyWide] = await Promise.all([db.selectFrom('program_lead_release').selectAll().execute(), db.selectFrom('study_release').selectAll().execute()])
  return { cohortWide, studyWide }
}

/**
 * Store release rows another database holds (`listReleaseRows`) that this one lacks, where this one
 * has their study, cohort and releasing staff member (the foreign keys); returns how many were
 * stored and the ids of those it could not store.
 */
export async function insertMissingReleaseRows(db: Kysely<Database>, rows: Awaited<ReturnType<typeof listReleaseRows>>): Promise<{ stored: number; notStored: string[] }> {
  const here = await listReleaseRows(db)
  const known = new Set([...here.cohortWide, ...here.studyWide].map((r) => r.id))
  const studies = new Set((await db.selectFrom('study').select('id').execute()).map((r) => r.id))
  const cohorts = new Set((await db.selectFrom('cohort').select('id').execute()).map((r) => r.id))
  const staff = new Set((await db.selectFrom('staff_user').select('id').execute()).map((r) => r.id))
  const fits = (r: { study_id: string; released_by: string }, cohortId?: string) => studies.has(r.study_id) && staff.has(r.released_by) && (cohortId === undefined || cohorts.has(cohortId))
  let stored = 0
  const notStored: string[] = []
  for (const r of rows.cohortWide.filter((x) => !known.has(x.id))) {
    if (!fits(r, r.cohort_id)) notStored.push(r.id)
    else await db.insertInto('program_lead_release').values(r).execute().then(() => stored++)
  }
  for (const r of rows.studyWide.filter((x) => !known.has(x.id))) {
    if (!fits(r)) notStored.push(r.id)
    else await db.insertInto('study_release').values(r).execute().then(() => stored++)
  }
  return { stored, notStored }
}

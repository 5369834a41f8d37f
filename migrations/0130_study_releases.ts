import type { Kysely } from 'kysely'

/**
 * Study-wide releases (issue 17): snapshots for program leads of the Table 1 and report over all the
 * cohorts of a study, built and checked like a cohort's release (0020). A table of their own because
 * a cohort release's `cohort_id` is required; `basis` (figure key → participant ids) is checked
 * against every release of the study, cohort-wide and study-wide, before the next one is made.
 *
 * Portable SQL (text); nothing SQLite-only. Frozen: never edit once shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('study_release')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('released_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    .addColumn('released_by_name', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('study_release_study_idx').on('study_release').columns(['study_id', 'released_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('study_release').execute()
}

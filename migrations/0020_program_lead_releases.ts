import type { Kysely } from 'kysely'

/**
 * What program leads may see: each study's disclosure-control policy, and the released snapshots of
 * each cohort's program-lead report (report, Table 1 and funnel, already rounded and redacted).
 *
 * `basis` keeps, for the researchers' check of the next release only, which participants each
 * released figure was computed from (ids, never values), so that a new release can be refused when
 * it would let a reader subtract one release from another and learn about too few people.
 *
 * Portable SQL (text, integer); nothing SQLite-only. Frozen: never edit once shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('disclosure_policy')
    .addColumn('study_id', 'text', (c) => c.primaryKey().references('study.id').onDelete('cascade'))
    .addColumn('min_n', 'integer', (c) => c.notNull())
    .addColumn('order_min_n', 'integer', (c) => c.notNull())
    .addColumn('count_redact_at_or_below', 'integer', (c) => c.notNull())
    .addColumn('count_rounding', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('program_lead_release')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('cohort_id', 'text', (c) => c.notNull().references('cohort.id').onDelete('cascade'))
    .addColumn('released_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    .addColumn('released_by_name', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('program_lead_release_cohort_idx').on('program_lead_release').columns(['cohort_id', 'released_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('program_lead_release').execute()
  await db.schema.dropTable('disclosure_policy').execute()
}

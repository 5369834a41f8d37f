import { sql, type Kysely } from 'kysely'

/**
 * A study's primary outcome(s): a JSON array of "instrument/scale" keys, empty by default. The cohort
 * report leaves primary outcomes unadjusted and adjusts the other scales (the secondary family) with
 * Holm and Benjamini–Hochberg. Portable SQL: ADD COLUMN with a constant default works the same on
 * SQLite and PostgreSQL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('study')
    .addColumn('primary_outcomes', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study').dropColumn('primary_outcomes').execute()
}

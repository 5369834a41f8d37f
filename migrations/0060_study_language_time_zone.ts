import type { Kysely } from 'kysely'

/**
 * A study's default language (what its participants' pages are shown in) and its IANA time zone (in
 * which its waves open at the start of their first day and close at the end of their last day).
 * Studies created before this kept whole days in UTC, so they get "UTC" and their waves do not move.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study').addColumn('language', 'text', (c) => c.notNull().defaultTo('en')).execute()
  await db.schema.alterTable('study').addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study').dropColumn('time_zone').execute()
  await db.schema.alterTable('study').dropColumn('language').execute()
}

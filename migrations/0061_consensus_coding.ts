import type { Kysely } from 'kysely'

/**
 * Consensus coding (issue 18): resolving a disagreement records the agreed coding as a coding row
 * with `consensus = 1`, its coder being the researcher who decided. Each coder's own codings stay as
 * they were (`consensus = 0`); analyses use a transcript's consensus set where it has one.
 *
 * A 0/1 integer, not a boolean, so SQLite and PostgreSQL read it alike. Numbered after 0060 so that
 * databases already at 0060 migrate in order.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('coding').addColumn('consensus', 'integer', (col) => col.notNull().defaultTo(0)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('coding').dropColumn('consensus').execute()
}

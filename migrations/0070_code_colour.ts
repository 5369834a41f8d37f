import type { Kysely } from 'kysely'

/**
 * A code's colour (issue 18): `#rrggbb`, lower case, as REFI-QDA's `color` attribute writes it.
 * Null for codes made before colours existed; they are shown in the default palette's colour for
 * their place in the codebook, and exported without a colour.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('code').addColumn('color', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('code').dropColumn('color').execute()
}

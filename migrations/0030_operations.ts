import type { Kysely } from 'kysely'

/**
 * Running the platform safely: the lease that keeps a second server off the same database, sign-in
 * throttling kept in the database (so it holds across restarts and processes), and one-time links
 * for setting or resetting a staff member's password.
 *
 * Portable SQL: plain tables, text times, no engine-specific types.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per lease name ("writer"): which server process holds it, and when it last said so.
  await db.schema
    .createTable('server_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute()

  // Failed sign-ins per key ("account:<email>", "pair:<email>|<address>", "address:<address>").
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sign_in_throttle_updated').on('sign_in_throttle').column('updated_at').execute()

  // One-time links that let a staff member choose a password: a reset by an administrator, or a new
  // account created from the command line. Only the token's SHA-256 is stored.
  await db.schema
    .createTable('password_link')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['password_link', 'sign_in_throttle', 'server_lease']) await db.schema.dropTable(table).execute()
}

import { sql, type Kysely } from 'kysely'

/**
 * Staff accounts and their roles per study, sign-in sessions, the one-time set-up link for the first
 * administrator, and the study settings the reports and participant feedback need.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute()

  await db.schema
    .createTable('staff_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute()

  await db.schema
    .createTable('study_role')
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('researcher', 'program_lead', 'group_leader', 'interviewer')`))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('study_role_pk', ['study_id', 'user_id', 'role'])
    .execute()

  await db.schema
    .createTable('setup_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()

  // Program leads see no figure built from fewer participants than this.
  await db.schema.alterTable('study').addColumn('min_cell_size', 'integer', (c) => c.notNull().defaultTo(5)).execute()
  // Whether participants see their own change at their link once the post wave is complete.
  await db.schema.alterTable('study').addColumn('participant_feedback', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  // Who a participant can turn to for support, shown when a score got worse or a safety flag is set.
  await db.schema.alterTable('study').addColumn('support_contact', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study').dropColumn('support_contact').execute()
  await db.schema.alterTable('study').dropColumn('participant_feedback').execute()
  await db.schema.alterTable('study').dropColumn('min_cell_size').execute()
  for (const table of ['setup_token', 'study_role', 'staff_session', 'staff_user']) await db.schema.dropTable(table).execute()
}

import type { Kysely } from 'kysely'

/**
 * Safety flags that get handled, and the job table (issue 17):
 * - `study_safety`: what a participant sees when an answer raises a safety flag (support text in
 *   English and Persian, a contact), who is told (email addresses), and after how many hours an
 *   unacknowledged flag is highlighted and notified again.
 * - `safety_acknowledgement`: a researcher has seen a flag and says what was done. Keyed by the
 *   flag (response and flag id), not by a `response_flag` row: rescoring replaces those rows.
 * - `job`: work to be done at a time (emails to safety contacts, invitations, reminders), kept in
 *   the database so that it survives restarts. A runner claims a job with a conditional update
 *   (`status = 'pending'` → `'running'`), so each runs once even with several runners. `dedupe_key`
 *   is unique: scheduling the same job twice is one job.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('study_safety')
    .addColumn('study_id', 'text', (col) => col.primaryKey())
    .addColumn('support_text_en', 'text')
    .addColumn('support_text_fa', 'text')
    .addColumn('contact', 'text')
    .addColumn('notify_emails', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('renotify_after_hours', 'integer', (col) => col.notNull().defaultTo(24))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('updated_by', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('safety_acknowledgement')
    .addColumn('response_id', 'text', (col) => col.notNull())
    .addColumn('flag_id', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('acknowledged_by', 'text', (col) => col.notNull())
    .addColumn('acknowledged_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('safety_acknowledgement_pk', ['response_id', 'flag_id'])
    .execute()

  await db.schema
    .createTable('job')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('study_id', 'text', (col) => col.notNull())
    /** What the job is about: a wave's id, or "<response id>/<flag id>". */
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('dedupe_key', 'text', (col) => col.notNull().unique())
    .addColumn('due_at', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('details', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('job_status_due').on('job').columns(['status', 'due_at']).execute()
  await db.schema.createIndex('job_ref').on('job').column('ref').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job').execute()
  await db.schema.dropTable('safety_acknowledgement').execute()
  await db.schema.dropTable('study_safety').execute()
}

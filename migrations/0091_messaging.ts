import type { Kysely } from 'kysely'

/**
 * Invitations and reminders (issue 17):
 * - `participant_contact`: a participant's optional email and phone, kept apart from their answers
 *   (never joined into an export), and whether they opted out of reminders. Deleted on withdrawal.
 * - `study_messaging`: the study's schedule, applied to every wave: an invitation when it opens,
 *   reminders a number of days before it closes (JSON array of whole days).
 * - `message_delivery`: what was sent to whom and when. One row per job and participant (unique),
 *   written before the message is sent, so a job that runs again never sends a participant twice.
 *   No address and no link is kept here: the participant and the kind of message are enough.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('participant_contact')
    .addColumn('participant_id', 'text', (col) => col.primaryKey())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('language', 'text')
    .addColumn('reminders_opt_out', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('study_messaging')
    .addColumn('study_id', 'text', (col) => col.primaryKey())
    .addColumn('invite_on_open', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('reminder_days', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('updated_by', 'text', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('message_delivery')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('job_id', 'text')
    .addColumn('study_id', 'text', (col) => col.notNull())
    .addColumn('participant_id', 'text', (col) => col.notNull())
    .addColumn('wave_id', 'text')
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('error', 'text')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('message_delivery_job_participant', ['job_id', 'participant_id'])
    .execute()
  await db.schema.createIndex('message_delivery_participant').on('message_delivery').column('participant_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('message_delivery').execute()
  await db.schema.dropTable('study_messaging').execute()
  await db.schema.dropTable('participant_contact').execute()
}

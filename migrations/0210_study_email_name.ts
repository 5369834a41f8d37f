import type { Kysely } from 'kysely'

/**
 * The name a study goes by in its emails to participants (`study_messaging.email_name`): invitations
 * and reminders named the study itself, in the subject and the text, and hospital mail servers and
 * whoever reads their logs see subjects; a team may choose a neutral name ("Wellbeing
 * questionnaires"). Null: the study's name, as before. Both engines.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study_messaging').addColumn('email_name', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study_messaging').dropColumn('email_name').execute()
}

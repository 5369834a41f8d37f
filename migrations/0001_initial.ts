import { sql, SqliteAdapter, type Kysely } from 'kysely'

/**
 * The first schema: studies, cohorts (closed Balint groups) with their group sessions and attendance,
 * pseudonymous participants with hashed links, consent, waves and their instruments, responses with
 * their scale scores and flags, and an append-only audit log.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('study')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('consent_instrument', 'text', (c) => c.notNull().defaultTo('consent'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('cohort')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('leader', 'text')
    .addColumn('co_leaders', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('cohort_study_idx').on('cohort').column('study_id').execute()

  await db.schema
    .createTable('group_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cohort_id', 'text', (c) => c.notNull().references('cohort.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('group_session_cohort_seq_uq', ['cohort_id', 'seq'])
    .execute()

  await db.schema
    .createTable('participant')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cohort_id', 'text', (c) => c.notNull().references('cohort.id').onDelete('restrict'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('invited', 'consented', 'active', 'withdrawn')`))
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('link'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addUniqueConstraint('participant_cohort_code_uq', ['cohort_id', 'code'])
    .execute()

  await db.schema
    .createTable('attendance')
    .addColumn('group_session_id', 'text', (c) => c.notNull().references('group_session.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('present', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attendance_pk', ['group_session_id', 'participant_id'])
    .execute()

  await db.schema
    .createTable('participant_link')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema
    .createTable('consent')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('instrument_version', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('agree', 'decline')`))
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('consent_participant_idx').on('consent').column('participant_id').execute()

  await db.schema
    .createTable('wave')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cohort_id', 'text', (c) => c.notNull().references('cohort.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('pre', 'post', 'follow-up')`))
    .addColumn('opens_at', 'text', (c) => c.notNull())
    .addColumn('closes_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('link'))
    .addUniqueConstraint('wave_cohort_kind_uq', ['cohort_id', 'kind'])
    .execute()

  await db.schema
    .createTable('wave_instrument')
    .addColumn('wave_id', 'text', (c) => c.notNull().references('wave.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('wave_instrument_pk', ['wave_id', 'position'])
    .addUniqueConstraint('wave_instrument_uq', ['wave_id', 'instrument_id'])
    .execute()

  await db.schema
    .createTable('response')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('wave_id', 'text', (c) => c.references('wave.id').onDelete('restrict'))
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('instrument_version', 'text', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'complete')`))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_id', 'text', (c) => c.unique())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('link'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute()
  // One response per participant, wave and instrument; forms asked once (no wave) once per participant.
  await db.schema
    .createIndex('response_participant_wave_uq')
    .unique()
    .on('response')
    .columns(['participant_id', 'wave_id', 'instrument_id'])
    .where(sql.ref('wave_id'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('response_participant_once_uq')
    .unique()
    .on('response')
    .columns(['participant_id', 'instrument_id'])
    .where(sql.ref('wave_id'), 'is', null)
    .execute()
  await db.schema.createIndex('response_wave_idx').on('response').columns(['wave_id', 'instrument_id', 'status']).execute()

  await db.schema
    .createTable('scale_score')
    .addColumn('response_id', 'text', (c) => c.notNull().references('response.id').onDelete('cascade'))
    .addColumn('scale_id', 'text', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('band_index', 'integer')
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('prorated', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scale_score_pk', ['response_id', 'scale_id'])
    .execute()

  await db.schema
    .createTable('response_flag')
    .addColumn('response_id', 'text', (c) => c.notNull().references('response.id').onDelete('cascade'))
    .addColumn('flag_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('value', 'real', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('response_flag_pk', ['response_id', 'flag_id'])
    .execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute()
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute()

  // Append-only: the database itself refuses to change or remove an audit entry. Trigger syntax is
  // dialect-specific; the PostgreSQL migration will add the equivalent rule.
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
    await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_log', 'response_flag', 'scale_score', 'response', 'wave_instrument', 'wave', 'consent', 'participant_link', 'attendance', 'participant', 'group_session', 'cohort', 'study']) {
    await db.schema.dropTable(table).execute()
  }
}


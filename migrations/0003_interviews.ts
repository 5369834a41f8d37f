import { sql, SqliteAdapter, type Kysely } from 'kysely'

/**
 * Interviews and their qualitative analysis: which interviewer interviews whom, the interviews with
 * their notes per guide question and their transcripts, the codebook (theme → category → code) with
 * its append-only history, codings of transcript passages, memos, the quotation chosen for each code
 * in Table 2, the log of resolved disagreements between coders, and participants' member checks.
 *
 * Offsets of codings are Unicode code points of the transcript's plain text, start inclusive and end
 * exclusive, as MAXQDA, NVivo, ATLAS.ti and QualCoder count them.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('interview_assignment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('interviewer_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('interview_assignment_uq', ['interviewer_id', 'participant_id'])
    .execute()
  await db.schema.createIndex('interview_assignment_study_idx').on('interview_assignment').column('study_id').execute()
  await db.schema.createIndex('interview_assignment_participant_idx').on('interview_assignment').column('participant_id').execute()

  await db.schema
    .createTable('interview')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One interview per participant: the study's design (one in-depth interview after the last session).
    .addColumn('participant_id', 'text', (c) => c.notNull().unique().references('participant.id').onDelete('cascade'))
    .addColumn('interviewer_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    .addColumn('guide_id', 'text', (c) => c.notNull())
    .addColumn('guide_version', 'text', (c) => c.notNull())
    .addColumn('consent_to_record', 'integer', (c) => c.notNull().check(sql`consent_to_record in (0, 1)`))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('interview_note')
    .addColumn('interview_id', 'text', (c) => c.notNull().references('interview.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    // The client's revision: a save not newer than the stored one is stale and ignored.
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('interview_note_pk', ['interview_id', 'question_id'])
    .execute()

  await db.schema
    .createTable('transcript')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('interview_id', 'text', (c) => c.notNull().unique().references('interview.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('text', 'vtt')`))
    // What codings point into: plain text, a WebVTT upload reduced to its speaker turns.
    .addColumn('text', 'text', (c) => c.notNull())
    // The upload as it came, kept for its timings and for checking the conversion.
    .addColumn('original', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('code')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('code.id').onDelete('restrict'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('theme', 'category', 'code')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('merged_into', 'text', (c) => c.references('code.id').onDelete('restrict'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute()
  await db.schema.createIndex('code_study_idx').on('code').column('study_id').execute()
  await db.schema.createIndex('code_parent_idx').on('code').column('parent_id').execute()

  await db.schema
    .createTable('code_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code_id', 'text', (c) => c.notNull().references('code.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('create', 'rename', 'move', 'describe', 'merge', 'delete')`))
    // JSON: what changed, from what to what.
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('code_history_code_idx').on('code_history').columns(['code_id', 'at']).execute()

  await db.schema
    .createTable('coding')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transcript_id', 'text', (c) => c.notNull().references('transcript.id').onDelete('cascade'))
    .addColumn('code_id', 'text', (c) => c.notNull().references('code.id').onDelete('restrict'))
    .addColumn('coder_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    // Code points, start inclusive, end exclusive.
    .addColumn('start_offset', 'integer', (c) => c.notNull().check(sql`start_offset >= 0`))
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    // A copy of the coded passage, taken on the server from the stored transcript.
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addCheckConstraint('coding_span_ck', sql`start_offset < end_offset`)
    .execute()
  await db.schema.createIndex('coding_transcript_idx').on('coding').columns(['transcript_id', 'coder_id']).execute()
  await db.schema.createIndex('coding_code_idx').on('coding').column('code_id').execute()
  // A coder applies a code to a passage once; deleted codings do not count.
  await db.schema
    .createIndex('coding_live_uq')
    .unique()
    .on('coding')
    .columns(['transcript_id', 'code_id', 'coder_id', 'start_offset', 'end_offset'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('memo')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('study_id', 'text', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('target_type', 'text', (c) => c.notNull().check(sql`target_type in ('code', 'transcript', 'project')`))
    // The code or transcript; null for a memo on the whole project.
    .addColumn('target_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addCheckConstraint('memo_target_ck', sql`(target_type = 'project') = (target_id is null)`)
    .execute()
  await db.schema.createIndex('memo_target_idx').on('memo').columns(['study_id', 'target_type', 'target_id']).execute()

  await db.schema
    .createTable('table2_quote')
    // One meaning unit per code in Table 2.
    .addColumn('code_id', 'text', (c) => c.primaryKey().references('code.id').onDelete('cascade'))
    .addColumn('coding_id', 'text', (c) => c.notNull().references('coding.id').onDelete('cascade'))
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .addColumn('chosen_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('agreement_resolution')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transcript_id', 'text', (c) => c.notNull().references('transcript.id').onDelete('cascade'))
    .addColumn('code_id', 'text', (c) => c.notNull().references('code.id').onDelete('restrict'))
    .addColumn('start_offset', 'integer', (c) => c.notNull().check(sql`start_offset >= 0`))
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('applies', 'does_not_apply')`))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decided_by', 'text', (c) => c.notNull().references('staff_user.id').onDelete('restrict'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addCheckConstraint('agreement_resolution_span_ck', sql`start_offset < end_offset`)
    .execute()
  await db.schema.createIndex('agreement_resolution_transcript_idx').on('agreement_resolution').column('transcript_id').execute()

  await db.schema
    .createTable('member_check')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('coding_id', 'text', (c) => c.notNull().references('coding.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participant.id').onDelete('cascade'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('confirm', 'comment', 'withdraw')`))
    .addColumn('comment', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute()
  // Every decision is kept; the latest per quote counts.
  await db.schema.createIndex('member_check_coding_idx').on('member_check').columns(['coding_id', 'decided_at']).execute()

  // The codebook's history is append-only, like the audit log.
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create trigger code_history_no_update before update on code_history begin select raise(abort, 'code_history is append-only'); end`.execute(db)
    await sql`create trigger code_history_no_delete before delete on code_history begin select raise(abort, 'code_history is append-only'); end`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'member_check',
    'agreement_resolution',
    'table2_quote',
    'memo',
    'coding',
    'code_history',
    'code',
    'transcript',
    'interview_note',
    'interview',
    'interview_assignment',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}

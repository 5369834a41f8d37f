import type { Kysely } from 'kysely'

/**
 * The study's own forms (issue 17, part 4).
 *
 * - `study.demographics_instrument`: the demographics form the study asks at enrolment, chosen among the
 *   loaded forms of kind "demographics"; null means the shipped "demographics".
 * - `study_form`: a study-specific version of a loaded form, made when a researcher adds choices to one
 *   of its choice lists (the seed study's occupations, which could only go in as "Other"). Each row is a
 *   whole version: the base form's id and version and every choice added to it so far (JSON), so a
 *   response stored against `instrument_id@version` is read and validated by exactly the form it was
 *   answered on. Rows are never changed or deleted; `seq` orders a study's versions of one form, and the
 *   unique (study, form, seq) index makes two researchers adding at once produce one version each, not
 *   two versions with the same number.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('study').addColumn('demographics_instrument', 'text').execute()
  await db.schema
    .createTable('study_form')
    .addColumn('instrument_id', 'text', (col) => col.notNull())
    .addColumn('version', 'text', (col) => col.notNull())
    .addColumn('study_id', 'text', (col) => col.notNull().references('study.id'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('base_version', 'text', (col) => col.notNull())
    .addColumn('additions', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('study_form_pk', ['instrument_id', 'version'])
    .execute()
  await db.schema.createIndex('study_form_seq_idx').on('study_form').columns(['study_id', 'instrument_id', 'seq']).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('study_form').execute()
  await db.schema.alterTable('study').dropColumn('demographics_instrument').execute()
}

import { sql, type Kysely } from 'kysely'

/**
 * Several quotations per code in Table 2 (issue 18): the paper's Table 2 gives two meaning units for
 * some codes ("Unskillfulness and weak internet connections": P6 and P8). `table2_quote` is rebuilt
 * with the key (code_id, coding_id) instead of code_id alone, and a `position`, 1-based, the order
 * the researchers chose. Each code's existing quotation becomes its first.
 *
 * The table keeps its name so that code reading it keeps working. Rebuilt rather than altered:
 * SQLite cannot change a primary key in place; create, copy, drop and rename is portable SQL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('table2_quote_new')
    .addColumn('code_id', 'text', (c) => c.notNull().references('code.id').onDelete('cascade'))
    .addColumn('coding_id', 'text', (c) => c.notNull().references('coding.id').onDelete('cascade'))
    // 1-based order of the code's quotations in Table 2.
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position >= 1`))
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .addColumn('chosen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('table2_quote_pk', ['code_id', 'coding_id'])
    .execute()
  await sql`insert into table2_quote_new (code_id, coding_id, position, chosen_by, chosen_at) select code_id, coding_id, 1, chosen_by, chosen_at from table2_quote`.execute(db)
  await db.schema.dropTable('table2_quote').execute()
  await db.schema.alterTable('table2_quote_new').renameTo('table2_quote').execute()
  // A coding is a quotation of its own code only, so it appears at most once.
  await db.schema.createIndex('table2_quote_coding_uq').unique().on('table2_quote').column('coding_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('table2_quote_old')
    .addColumn('code_id', 'text', (c) => c.primaryKey().references('code.id').onDelete('cascade'))
    .addColumn('coding_id', 'text', (c) => c.notNull().references('coding.id').onDelete('cascade'))
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .addColumn('chosen_at', 'text', (c) => c.notNull())
    .execute()
  // Going back keeps each code's first quotation.
  await sql`insert into table2_quote_old (code_id, coding_id, chosen_by, chosen_at) select code_id, coding_id, chosen_by, chosen_at from table2_quote where position = 1`.execute(db)
  await db.schema.dropTable('table2_quote').execute()
  await db.schema.alterTable('table2_quote_old').renameTo('table2_quote').execute()
}

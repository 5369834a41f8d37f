import type { Kysely } from 'kysely'

/**
 * Line and page breaks in stored transcripts (issue 18): text pasted from Word kept its manual line
 * breaks (U+000B) and page breaks (U+000C), and other editors' U+2028, U+2029 and U+0085; XML 1.0
 * cannot hold the first two, so exports dropped them and glued words together. Each becomes `\n`.
 * One code point for one, so every coding's offsets stay right; coded passages' copies are updated
 * the same way. New transcripts are normalised on upload (transcriptText).
 *
 * Done row by row in JavaScript rather than with SQL replace() and char()/chr(), which differ
 * between SQLite and PostgreSQL. The rule is written out here, not imported: a migration is frozen.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
const BREAKS = /[\u000B\u000C\u0085\u2028\u2029]/g

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['transcript', 'coding'] as const) {
    const rows: { id: string; text: string }[] = await db.selectFrom(table).select(['id', 'text']).execute()
    for (const row of rows) {
      const text = row.text.replace(BREAKS, '\n')
      if (text !== row.text) await db.updateTable(table).set({ text }).where('id', '=', row.id).execute()
    }
  }
}

export async function down(): Promise<void> {
  // The breaks' original characters are not kept; `\n` is a line break in every tool.
}

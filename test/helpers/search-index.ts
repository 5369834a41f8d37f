/**
 * What a deleted transcript may leave in a SQLite file: its words in the raw bytes of the file or its
 * WAL, and in the FTS5 search index's shadow tables (migration 0052). FTS5 stores its terms
 * lowercased and prefix-compressed (a term after one sharing its beginning keeps only its ending),
 * so a word is looked for whole and by its ending.
 */
import { existsSync, readFileSync } from 'node:fs'
import { sql, type Kysely } from 'kysely'

/** The words looked for: a participant's unique word as the index holds it (lowercased), and its ending alone. */
export function traces(word: string): string[] {
  const lower = word.toLowerCase()
  return [lower, lower.slice(-7)]
}

/**
 * Which of `fragments` are still in the database file or its WAL (raw bytes), or in a block of
 * `transcript_fts_data` or a term of `transcript_fts_idx`.
 */
export async function leftovers(db: Kysely<any>, path: string, fragments: string[]): Promise<string[]> {
  const bytes = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)])
  const found: string[] = []
  for (const fragment of fragments) {
    if (bytes.includes(Buffer.from(fragment))) found.push(`file: ${fragment}`)
    const data = await sql<{ n: number }>`select count(*) as n from transcript_fts_data where instr(block, cast(${fragment} as blob)) > 0`.execute(db)
    if (Number(data.rows[0]!.n) > 0) found.push(`transcript_fts_data: ${fragment}`)
    const idx = await sql<{ n: number }>`select count(*) as n from transcript_fts_idx where instr(term, cast(${fragment} as blob)) > 0`.execute(db)
    if (Number(idx.rows[0]!.n) > 0) found.push(`transcript_fts_idx: ${fragment}`)
  }
  return found
}

/** A transcript of many words, `word` among them, so the index spans several pages. */
export function transcriptWith(word: string, n: number): string {
  const filler = Array.from({ length: 400 }, (_, i) => `topic${(i * 7919 + n * 104729) % 5000} remark${i}`).join(' ')
  return `Interviewer: How was the group?\nP${n}: ${filler} and then ${word} said nothing ${filler}`
}

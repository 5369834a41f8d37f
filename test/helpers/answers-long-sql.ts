/**
 * The rows of answers_long.csv for a cohort whose answers are all numbers given in waves, straight
 * from SQLite: the floor of the export benchmark, and what the export test compares byte for byte
 * (run as `sqlite3 -readonly -header -csv -newline '\n' db "<this>"`). Codes P1, P2 … sort by length,
 * then text, as the export's natural order does; instruments in the wave's order; items in the order
 * the answers were stored.
 */
export function answersLongSql(cohortId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cohortId)) throw new Error(`not a cohort id: ${cohortId}`)
  return `select p.code as participant, w.kind as wave, r.instrument_id as instrument, j.key as item, j.value as value
  from participant p join response r on r.participant_id = p.id join wave w on w.id = r.wave_id
  join wave_instrument wi on wi.wave_id = w.id and wi.instrument_id = r.instrument_id, json_each(r.answers) j
  where p.cohort_id = '${cohortId}' and r.status = 'complete'
  order by length(p.code), p.code, case w.kind when 'pre' then 0 when 'post' then 1 else 2 end, wi.position, j.id;`
}

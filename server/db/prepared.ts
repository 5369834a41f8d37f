/**
 * Queries built and compiled once, then run many times with new values (issue 16). Building a Kysely
 * query and compiling it to SQL was the largest part of a participant's save (about 0.46 ms of CPU of
 * its 0.82 ms): nine statements, each built anew for every answer. A prepared query is written with
 * Kysely's builder as usual, once, with named placeholders where the values go; it is compiled the
 * first time it runs on an engine (SQLite and PostgreSQL give different SQL), and every later run
 * only swaps the values into the compiled parameters. SQLite then finds the statement itself already
 * prepared (`memoizePrepare` in ./connection.ts); PostgreSQL's driver sends the same text.
 *
 * Only for queries whose shape never changes with the values: no `in (…)` lists, no optional
 * clauses. A value that must be `null` in one call and not in another needs `is null` in SQL, which
 * is a different query: write two.
 *
 * @example
 * const consentOf = preparedQuery<{ participantId: string }>()((db, p) =>
 *   db.selectFrom('consent').select('decision').where('participant_id', '=', p.participantId).limit(1),
 * )
 * const rows = await consentOf(trx, { participantId }) // => [{ decision: 'agree' }]
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import { databaseEngine, type Engine } from './connection'
import type { Database } from './schema'

/** A placeholder stands where a value goes; its text is never sent to the database. */
const placeholderPrefix = '\u0000balint-placeholder:'

type Slot = { name: string } | { constant: unknown }

/**
 * `preparedQuery<Values>()(build)`: a function `(db, values) => Promise<rows>` that runs the query
 * `build(db, placeholders)` describes with `values` in the placeholders' places. `db` may be a
 * transaction. The rows are the builder's output type; a write returns no rows (an empty array on
 * SQLite) and is run for its effect.
 *
 * Throws, at the first run on an engine, if a placeholder was not used as a value (it was put into
 * SQL text, or transformed, for example by `JSON.stringify` in the builder): pass the transformed
 * value instead.
 */
export function preparedQuery<Values extends Record<string, unknown>>() {
  return <Row>(build: (db: Kysely<Database>, values: Values) => Compilable<Row>) => {
    const compiled = new Map<Engine, { sql: CompiledQuery<Row>; slots: Slot[] }>()
    const placeholders = new Proxy({} as Values, { get: (_, name) => `${placeholderPrefix}${String(name)}` })

    function compile(db: Kysely<Database>, engine: Engine) {
      const sql = build(db, placeholders).compile()
      const slots: Slot[] = sql.parameters.map((value) => {
        if (typeof value !== 'string' || !value.includes(placeholderPrefix)) return { constant: value }
        if (!value.startsWith(placeholderPrefix)) throw new Error(`prepared query: a placeholder was transformed before it became a value: ${JSON.stringify(value)}`)
        return { name: value.slice(placeholderPrefix.length) }
      })
      if (sql.sql.includes(placeholderPrefix)) throw new Error(`prepared query: a placeholder ended up in the SQL text: ${sql.sql}`)
      const entry = { sql, slots }
      compiled.set(engine, entry)
      return entry
    }

    return async (db: Kysely<Database>, values: Values): Promise<Row[]> => {
      const engine = databaseEngine(db)
      const { sql, slots } = compiled.get(engine) ?? compile(db, engine)
      const parameters = slots.map((slot) => {
        if ('constant' in slot) return slot.constant
        if (!(slot.name in values)) throw new Error(`prepared query: no value for "${slot.name}"`)
        return values[slot.name]
      })
      const result = await db.executeQuery<Row>({ ...sql, parameters })
      return result.rows
    }
  }
}

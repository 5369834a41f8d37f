/**
 * The PostgreSQL side of the database layer (issue 15): a Kysely over node-postgres (`pg`, pure
 * JavaScript) that behaves like the SQLite one in the ways the code above `db/` relies on.
 *
 * - Numbers come back as numbers. node-postgres returns `bigint` (what `count(*)` and `sum(integer)`
 *   give) and `numeric` (what `avg` gives) as strings, because they may exceed 2^53; SQLite returns
 *   numbers. Here a `bigint` becomes a number when it is a safe integer and is refused with a
 *   `RangeError` otherwise (never silently rounded), and a `numeric` becomes a double, as SQLite's
 *   `avg` is.
 * - Every transaction is SERIALIZABLE and retried on a serialisation failure or a deadlock. SQLite ran
 *   one transaction at a time, and code written for it reads, decides and writes inside one
 *   transaction ("a transaction runs alone"). PostgreSQL's serialisable isolation guarantees the same
 *   outcome as some one-at-a-time order (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-SERIALIZABLE),
 *   at the price of aborting one of two conflicting transactions with SQLSTATE 40001, which the
 *   documentation says to retry: so `transaction().execute(fn)` runs `fn` again from the start, up to
 *   `maxTransactionAttempts` times. `fn` must therefore keep its side effects inside the database
 *   (it does everywhere: mail and files are sent or written after the transaction).
 * - Text sorts and compares byte by byte, as SQLite's BINARY collation does: the database must be
 *   created with the C collation (`checkPostgresDatabase` refuses any other at start-up).
 */
import { Kysely, PostgresDialect, sql, type TransactionBuilder } from 'kysely'
import pg from 'pg'

/** How many times a transaction is tried before its serialisation failure reaches the caller. */
export const maxTransactionAttempts = 25

/** SQLSTATEs after which a transaction is run again: serialization_failure, deadlock_detected. */
const retryableStates = new Set(['40001', '40P01'])

/**
 * unique_violation, retried a few times only. Two serialisable transactions that each read "the
 * next number is 2" and insert it collide on the unique key, and PostgreSQL may report that as a
 * unique violation rather than a serialisation failure ("it may be advisable to retry unique-key
 * violations": https://www.postgresql.org/docs/15/transaction-iso.html#XACT-SERIALIZABLE). Run again,
 * the loser reads the winner's row and goes on; a key that is truly taken fails the same way quickly.
 */
const uniqueViolation = '23505'
const maxUniqueViolationAttempts = 4

const int8Oid = 20
const numericOid = 1700

/**
 * The type parsers of every connection: `bigint` to a safe number (else `RangeError`), `numeric` to a
 * double; everything else as node-postgres parses it.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid)
      return (value: string) => {
        const n = Number(value)
        if (!Number.isSafeInteger(n)) throw new RangeError(`the integer ${value} is too large to be read exactly (above 2^53 - 1)`)
        return n
      }
    if (oid === numericOid) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format ?? 'text')
  },
}

/** True when `location` is a PostgreSQL connection URL rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/** A Kysely whose transactions are serialisable and retried; see the module comment. */
class SerializableKysely<DB> extends Kysely<DB> {
  override transaction(): TransactionBuilder<DB> {
    return retrying(super.transaction().setIsolationLevel('serializable'))
  }
}

function retrying<DB>(builder: TransactionBuilder<DB>): TransactionBuilder<DB> {
  return new Proxy(builder, {
    get(target, property) {
      if (property === 'execute') return <T>(callback: Parameters<TransactionBuilder<DB>['execute']>[0]) => withRetry(() => target.execute(callback) as Promise<T>)
      if (property === 'setIsolationLevel' || property === 'setAccessMode') return (value: never) => retrying(target[property](value))
      return Reflect.get(target, property, target)
    },
  })
}

/**
 * Run `attempt` until it does not fail with a serialisation failure or deadlock (or, a few times, a
 * unique violation that a concurrent transaction may have caused). Between tries it
 * waits a random time up to a ceiling that doubles with each try (5, 10, 20 … ms, at most 500 ms):
 * "full jitter" back-off, so that transactions that collided do not collide again in step.
 */
export async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= maxTransactionAttempts || !isRetryable(error, tries)) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 5 * 2 ** tries)))
    }
  }
}

function isRetryable(error: unknown, tries: number): boolean {
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : undefined
  return code !== undefined && (retryableStates.has(code) || (code === uniqueViolation && tries < maxUniqueViolationAttempts))
}

/** The SQLSTATE of a PostgreSQL error, or undefined. */
export function postgresErrorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * Open a PostgreSQL database by URL. `poolSize` connections at most (node-postgres's default, 10,
 * unless the URL or the caller says otherwise); idle ones close after `idleMs`.
 */
export function openPostgres<DB>(url: string, options: { poolSize?: number; idleMs?: number } = {}): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: options.idleMs ?? 10_000,
    types: typeParsers,
    // Times are ISO text in the schema; the session's zone only matters to functions we do not call.
    options: '-c TimeZone=UTC',
  })
  // An idle connection the server closes (a restart, a fail-over) must not crash the process.
  pool.on('error', () => undefined)
  return new SerializableKysely<DB>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Refuse a database whose text does not compare as SQLite's does: the encoding must be UTF8 and the
 * collation C (byte order; SQLite's BINARY), or ordered lists, `min`/`max` of text and unique
 * constraints on text would differ between the engines. The message says how to create it right.
 */
export async function checkPostgresDatabase(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ collate: string; encoding: string; name: string }>`select datcollate as collate, pg_encoding_to_char(encoding) as encoding, datname as name from pg_database where datname = current_database()`.execute(db)
  const row = rows[0]
  if (row && (row.encoding !== 'UTF8' || !['C', 'POSIX', 'C.UTF-8', 'C.utf8', 'ucs_basic'].includes(row.collate))) {
    throw new Error(
      `the PostgreSQL database "${row.name}" has encoding ${row.encoding} and collation ${row.collate}; Balint Outcomes needs UTF8 and the C collation, ` +
        `so that text sorts the same as on SQLite. Create it with: createdb --encoding=UTF8 --locale=C --template=template0 ${row.name}`,
    )
  }
}

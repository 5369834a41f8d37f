// The reader thread of a SQLite file (see sqlite-reader.ts, which starts it): a read-only connection
// of its own, on a worker thread, for the cohort report's large reads (issue 16). Plain JavaScript so
// that it runs wherever the server does (tsx, vitest, plain node) without a TypeScript loader.
//
// Once the file is open: { ready: true }.
// In:  { batch, statements: [{ sql, parameters, kinds }] }, read in one read transaction (one snapshot).
// Out: { batch, index, columns } per statement as soon as it is read, its rows turned into columns
//      as `kinds` say (columns.mjs; typed arrays are transferred, not copied; an 'index' kind looks
//      its values up in the first column of an earlier statement of the batch), or
//      { batch, index, error: { message, code } } for the first that fails (the rest are not run).
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import { rowsByValue, toColumns, transferables } from './columns.mjs'

const db = new Database(workerData.path, { readonly: true, fileMustExist: true })
db.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`)
// Reads through a memory map: why, and the trade-off, at `readerThreadMmapBytes` (sqlite-reader.ts).
db.pragma(`mmap_size = ${Number(workerData.mmapBytes)}`)
// Prepared once per SQL text. The report's texts are few (one per instrument and scale set, and
// per number of cohorts), but nothing bounds them in principle: past 256 the cache starts again.
const statements = new Map()
const prepared = (sql) => {
  let statement = statements.get(sql)
  if (!statement) {
    if (statements.size >= 256) statements.clear()
    statements.set(sql, (statement = db.prepare(sql).raw(true)))
  }
  return statement
}

parentPort.postMessage({ ready: true })
parentPort.on('message', ({ batch, statements: batchStatements }) => {
  let index = 0
  // The first columns 'index' kinds look up, by statement, and their lookups, built when first needed.
  const looked = new Set(batchStatements.flatMap((s) => s.kinds.flatMap((k) => (k.kind === 'index' ? [k.of] : []))))
  const firstColumns = new Map()
  const lookups = new Map()
  const rowOf = (of) => {
    if (!lookups.has(of)) lookups.set(of, rowsByValue(firstColumns.get(of) ?? []))
    return lookups.get(of)
  }
  try {
    db.exec('begin')
    for (; index < batchStatements.length; index++) {
      const { sql, parameters, kinds } = batchStatements[index]
      const columns = toColumns(prepared(sql).all(...parameters), kinds, rowOf)
      if (looked.has(index)) firstColumns.set(index, columns.columns[0])
      parentPort.postMessage({ batch, index, columns }, transferables(columns))
    }
  } catch (error) {
    parentPort.postMessage({ batch, index, error: { message: error instanceof Error ? error.message : String(error), code: error?.code } })
  } finally {
    if (db.inTransaction) db.exec('commit')
  }
})

/**
 * A SQLite file's reader thread: a second, read-only connection on a worker thread
 * (`sqlite-reader-worker.mjs`) for reads too large to make the event loop wait for (issue 16: the
 * cohort report reads 80,000 responses at 10,000 participants, about 0.4 s of SQLite's own work).
 * While the reader thread reads, the event loop goes on serving (participants' saves) and computing
 * what has arrived: the report works on one instrument while the next is read.
 *
 * What it reads is committed data only, all statements of one call in one read transaction (one
 * snapshot of the file; WAL lets it read while the main connection writes). A transaction open on the
 * main connection, its own uncommitted rows included, is invisible to it: a caller inside a
 * transaction must read through that transaction instead, as PostgreSQL (whose pool reads concurrently
 * already) and an in-memory database (no file to share) read through Kysely.
 *
 * The thread is started with the server (`startReaderThread`), or else at the first read of a
 * database, and ended with it (`closeReaderThread`, from the driver's destroy); one that stopped on an
 * error (or could not open the file) is started again at the first read `restartAfterMs` later, reads
 * before that going to the main connection. It keeps the process alive only while a read is under way.
 */
import type SQLite from 'better-sqlite3'
import type { CompiledQuery } from 'kysely'
import { Worker } from 'node:worker_threads'
import type { ColumnKind, Columns } from './columns.mjs'

/**
 * How much of the file the reader thread reads through a memory map (SQLite's `mmap_size`, bytes):
 * as much as this build of SQLite allows (SQLITE_MAX_MMAP_SIZE, 0x7fff0000, about 2 GiB), the rest of
 * a larger file as usual. Measured at 10,000 participants (issue 16): the report's statements read in
 * 377–496 ms mapped against 760–807 ms through SQLite's page cache, whose 16 MiB holds a fraction of the
 * file, so that most rows cost a system call; the first report fell from 1.1–1.3 s to 0.86–0.98 s.
 * The thread's connection is read-only, so the map is too (SQLite writes through its own calls
 * either way), and the file never shrinks (no VACUUM or auto_vacuum: backups are `VACUUM INTO` a new
 * file). The trade-off SQLite documents (https://sqlite.org/mmap.html): an I/O error of the disk
 * reading a mapped page is a signal that ends the process, where a read through SQLite's calls is an
 * error a request reports. The mapped pages count in the process's resident memory as they are read
 * (they are the operating system's file cache, given back under pressure). The benchmark's floor reads
 * with the same setting (test/bench/work.ts `read`).
 */
export const readerThreadMmapBytes = 0x7fff0000

type Waiting = { resolve: (columns: Columns) => void; reject: (error: Error) => void }

/** A statement for the reader thread, and how its rows become columns (`toColumns`). */
export type ColumnRead = { query: CompiledQuery; kinds: ColumnKind[] }

/** An error of a statement read on the reader thread: SQLite's message and code (e.g. SQLITE_BUSY), as better-sqlite3 gives them. */
export class ReaderThreadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
    this.name = 'ReaderThreadError'
  }
}

/**
 * The reader thread stopped, or could not open the file (moved, deleted, unreadable): nothing was
 * wrong with the statement, and the caller may read on the main connection instead.
 */
export class ReaderThreadStopped extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ReaderThreadStopped'
  }
}

class ReaderThread {
  private readonly worker: Worker
  private nextBatch = 0
  /** Every batch not yet settled, the one being read and those waiting their turn. */
  private readonly batches = new Map<number, Waiting[]>()
  /** Batches not yet sent to the thread, in order: one is read at a time, so that a pause can wait for it. */
  private readonly queue: { batch: number; statements: ColumnRead[] }[] = []
  private reading: number | null = null
  private pauses = 0
  private idle: (() => void)[] = []
  private failed: Error | null = null
  /** When it stopped (performance.now(), ms). */
  stoppedAt = Number.NaN
  /** Settled when the thread has opened the file (or has failed to). */
  readonly ready: Promise<void>

  constructor(path: string, busyTimeoutMs: number) {
    // Plain JavaScript: started without the parent's TypeScript loader (`execArgv: []`), as the import's
    // CSV thread is (import.ts).
    this.worker = new Worker(new URL('./sqlite-reader-worker.mjs', import.meta.url), { workerData: { path, busyTimeoutMs, mmapBytes: readerThreadMmapBytes }, execArgv: [] })
    this.worker.unref()
    let opened!: () => void
    this.ready = new Promise<void>((resolve) => (opened = resolve))
    this.worker.on('message', (message: { ready?: true; batch: number; index: number; columns?: Columns; error?: { message: string; code?: string } }) => {
      if (message.ready) return opened()
      const waiting = this.batches.get(message.batch)
      if (!waiting) return
      if (message.error) {
        // The first statement that failed, and the ones after it that were not run.
        const error = new ReaderThreadError(message.error.message, message.error.code)
        for (const w of waiting.slice(message.index)) w.reject(error)
        this.done(message.batch)
        return
      }
      waiting[message.index]!.resolve(message.columns!)
      if (message.index === waiting.length - 1) this.done(message.batch)
    })
    const fail = (cause: Error) => {
      const error = cause instanceof ReaderThreadStopped ? cause : new ReaderThreadStopped(`the SQLite reader thread stopped: ${cause.message}`, { cause })
      if (this.failed === null) this.stoppedAt = performance.now()
      this.failed = error
      opened()
      for (const batch of [...this.batches.keys()]) {
        for (const w of this.batches.get(batch)!) w.reject(error)
        this.done(batch)
      }
      for (const resolve of this.idle.splice(0)) resolve()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new ReaderThreadStopped(`the SQLite reader thread stopped (exit code ${code})`)))
  }

  /** Whether the thread can still take work (it stops for good on an uncaught error). */
  get alive(): boolean {
    return this.failed === null
  }

  read(statements: ColumnRead[]): Promise<Columns>[] {
    const batch = this.nextBatch++
    const waiting: Waiting[] = []
    const promises = statements.map((_, i) => new Promise<Columns>((resolve, reject) => (waiting[i] = { resolve, reject })))
    if (statements.length === 0) return promises
    if (this.batches.size === 0) this.worker.ref()
    this.batches.set(batch, waiting)
    this.queue.push({ batch, statements })
    this.next()
    return promises
  }

  /** Send the next batch, unless one is being read or the thread is paused. */
  private next(): void {
    if (this.reading !== null || this.pauses > 0 || this.failed) return
    const first = this.queue.shift()
    if (!first) return
    this.reading = first.batch
    this.worker.postMessage({ batch: first.batch, statements: first.statements.map((s) => ({ sql: s.query.sql, parameters: s.query.parameters, kinds: s.kinds })) })
  }

  private done(batch: number): void {
    this.batches.delete(batch)
    const at = this.queue.findIndex((q) => q.batch === batch)
    if (at >= 0) this.queue.splice(at, 1)
    if (this.reading === batch) this.reading = null
    if (this.batches.size === 0) this.worker.unref()
    if (this.reading === null) for (const resolve of this.idle.splice(0)) resolve()
    this.next()
  }

  /**
   * Hold the thread out of the file: no batch is sent until the returned function is called, and the
   * promise settles once the batch being read (if any) is done, so the thread then holds no read
   * transaction (one would keep a checkpoint from truncating the WAL).
   */
  async pause(): Promise<() => void> {
    this.pauses++
    if (this.reading !== null) await new Promise<void>((resolve) => this.idle.push(resolve))
    let resumed = false
    return () => {
      if (resumed) return
      resumed = true
      this.pauses--
      this.next()
    }
  }

  close(): Promise<number> {
    return this.worker.terminate()
  }
}

const threads = new WeakMap<SQLite.Database, ReaderThread>()

/**
 * Read `statements` on the reader thread of the SQLite file `sqlite` is open on, in one snapshot: a
 * promise per statement, in order, each settled as soon as its rows are read and turned into columns
 * (`toColumns`, on the reader thread too), or rejected with a `ReaderThreadError` (the statement
 * failed) or a `ReaderThreadStopped` (the thread did; read elsewhere). Undefined for an
 * in-memory database (no file to share): the caller then reads on `sqlite` itself. Only for a caller
 * outside a transaction (see above).
 */
export function readOnReaderThread(sqlite: SQLite.Database, statements: ColumnRead[]): Promise<Columns>[] | undefined {
  const thread = readerThread(sqlite)
  return thread?.read(statements)
}

/**
 * Start the reader thread of `sqlite`'s file now rather than at its first read (the server does at
 * start-up, as it opens the database: starting a thread takes about a tenth of a second): settled
 * once the thread has the file open (or has failed: its first read then fails). Nothing for an
 * in-memory database.
 */
export function startReaderThread(sqlite: SQLite.Database): Promise<void> {
  return readerThread(sqlite)?.ready ?? Promise.resolve()
}

/**
 * Run `work` (a WAL checkpoint) while `sqlite`'s reader thread, if it has one, holds no read
 * transaction: after the batch it is reading, and before the next (which waits). A checkpoint that
 * truncates the WAL cannot while another connection reads, and SQLite's busy handler would make the
 * event loop wait meanwhile (erasure's `discardDeletedPages`).
 */
export async function withReaderThreadPaused<T>(sqlite: SQLite.Database, work: () => T | Promise<T>): Promise<T> {
  const thread = threads.get(sqlite)
  const resume = thread ? await thread.pause() : () => {}
  try {
    return await work()
  } finally {
    resume()
  }
}

/** Databases being closed, or closed: no reader thread is started for them again. */
const closing = new WeakSet<SQLite.Database>()

/**
 * After a reader thread stopped, how long reads stay on the main connection before another thread is
 * started, in ms: one that cannot open the file (moved, unreadable) would otherwise be started, and
 * fail, at every report, a tenth of a second and a thread each time.
 */
const restartAfterMs = 30_000

function readerThread(sqlite: SQLite.Database): ReaderThread | undefined {
  if (sqlite.memory || sqlite.name === '' || !sqlite.open || closing.has(sqlite)) return undefined
  let thread = threads.get(sqlite)
  if (thread && !thread.alive && performance.now() - thread.stoppedAt < restartAfterMs) return undefined
  if (!thread || !thread.alive) threads.set(sqlite, (thread = new ReaderThread(sqlite.name, Number(sqlite.pragma('busy_timeout', { simple: true })))))
  return thread
}

/** End the reader thread of `sqlite`'s file, if it has one (the driver does when the database is closed). */
export async function closeReaderThread(sqlite: SQLite.Database): Promise<void> {
  closing.add(sqlite)
  const thread = threads.get(sqlite)
  threads.delete(sqlite)
  if (thread) await thread.close()
}

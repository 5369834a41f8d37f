/**
 * A `.qdpx` import's reader thread: the file is unzipped, parsed and checked against the REFI-QDA
 * schema (readCheckedQdpx) on a worker thread of its own (`qdpx-reader-worker.mjs`), because on the
 * main thread a project.qde just under its 16 MiB cap held the event loop for 8–13 s on a busy 2-core
 * machine, and every participant's save waited meanwhile (the server is one Node process). What is
 * left on the main thread is taking the answer in (about 0.25 s for that project: the structured clone
 * of its sources and codings) and the database writes (qda-import.ts).
 *
 * One thread per import, ended when it has answered: the DOM of a large project.qde takes hundreds of
 * megabytes, given back when the thread ends, and a thread that fails takes no other import with it.
 * At most `maxParallelQdpxReads` read at once; later imports wait their turn (first come, first read),
 * so that imports cannot take every core from the requests the event loop serves. At most
 * `maxWaitingQdpxReads` wait: each holds its upload (up to 50 MiB) meanwhile, so one more is refused
 * at once (QdpxReadersBusyError) rather than letting the queue, and the memory, grow without bound.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { RefiDuplicateGuidError, RefiFormatError, RefiTooLargeError, type CheckedQdpx } from './refi-import'

/**
 * The reader thread failed, not the file: it stopped before it answered, could not start, or took
 * longer than the deadline. Not the sender's fault, so not a RefiFormatError: a 500 that the log
 * explains.
 */
export class QdpxReaderThreadError extends Error {
  override name = 'QdpxReaderThreadError'
}

/**
 * Every reader thread is taken and `maxWaitingQdpxReads` imports already wait for one: the import is
 * refused before anything is read or written, and may be sent again in a little while
 * (`retryAfterSeconds`). Not the file's fault: qda-import.ts answers it as `rate_limited` (429).
 */
export class QdpxReadersBusyError extends Error {
  override name = 'QdpxReadersBusyError'
  /** When to try again, in seconds: about one large project's read. */
  readonly retryAfterSeconds = 30
}

/**
 * How many `.qdpx` files are read at once: one on a machine of two cores or fewer (the other is the
 * event loop's), two with more. Each read takes one core at a time (the schema check runs after the
 * parse, on a thread of xmllint-wasm's own), and a few hundred megabytes at its peak.
 */
export const maxParallelQdpxReads = Math.min(2, Math.max(1, availableParallelism() - 1))

/**
 * How many imports may wait for a reader thread while `maxParallelQdpxReads` read: each waiting one
 * holds its upload (up to 50 MiB, routes/qualitative.ts), so at most 100 MiB wait. A near-cap
 * project reads in 7–22 s, so the second waits for two reads at most, under a minute.
 */
export const maxWaitingQdpxReads = 2

/**
 * The reader thread's V8 heap limit (old generation), in MiB: twice what the largest real project
 * needs. A project.qde just under its 16 MiB cap, as buildQdpx writes it (33,600 codings), was read
 * within 256 MiB and not within 160. Past the limit the thread stops and the file is refused as too
 * large (413), as the schema check refuses one libxml2 runs out of memory on, rather than the process
 * growing to gigabytes (a project.qde of nothing but tiny elements would).
 */
const readerHeapMb = 512

/**
 * How long one read may take before its thread is stopped, in ms: a project.qde just under its cap
 * took 17–22 s on a busy 2-core machine (load 5–8). Past ten times that something is wrong with the
 * server, not the file. The wait for a turn is not counted.
 */
const readTimeoutMs = 180_000

const readerWorker = new URL('./qdpx-reader-worker.mjs', import.meta.url)

type WorkerAnswer =
  | { ok: true; checked: CheckedQdpx }
  | { ok: false; error: { kind: 'too_large' | 'duplicate_guid' | 'format' | 'other'; message: string; guid?: string; stack?: string } }

/** Options for tests: another worker file (one that fails), a shorter deadline, a smaller heap. */
export type QdpxReaderOptions = { worker?: URL; timeoutMs?: number; heapMb?: number }

let reading = 0
const waiting: (() => void)[] = []

/**
 * How many reads are under way and how many wait for their turn (at most `maxParallelQdpxReads`
 * are under way, and `maxWaitingQdpxReads` wait).
 */
export function qdpxReadsUnderWay(): { reading: number; waiting: number } {
  return { reading, waiting: waiting.length }
}

/**
 * Read and check a `.qdpx` on a reader thread (readCheckedQdpx), in its turn: the event loop serves
 * other requests meanwhile. `bytes` is copied to the thread; the caller's stay as they are.
 *
 * @throws {RefiTooLargeError} as readCheckedQdpx, or the file took more than the thread's memory
 * @throws {RefiDuplicateGuidError} as readCheckedQdpx
 * @throws {RefiFormatError} as readCheckedQdpx
 * @throws {QdpxReaderThreadError} the thread stopped before it answered, or took longer than the deadline
 * @throws {QdpxReadersBusyError} at once, with `bytes` untouched, when `maxWaitingQdpxReads` imports wait already
 * @throws {Error} any other error of readCheckedQdpx, with its message and its stack on the thread
 * @example
 * const { project, schemaErrors } = await readQdpxOnReaderThread(bytes)
 * project.sources.length // => 12
 */
export async function readQdpxOnReaderThread(bytes: Uint8Array, options: QdpxReaderOptions = {}): Promise<CheckedQdpx> {
  if (reading < maxParallelQdpxReads) reading++
  else if (waiting.length >= maxWaitingQdpxReads) throw new QdpxReadersBusyError(`${reading} .qdpx files are being read and ${waiting.length} wait their turn; send this one again in a little while.`)
  else await new Promise<void>((resolve) => waiting.push(resolve)) // the finishing read hands over its place
  try {
    return await readOnThread(bytes, options)
  } finally {
    const next = waiting.shift()
    if (next) next()
    else reading--
  }
}

function readOnThread(bytes: Uint8Array, options: QdpxReaderOptions): Promise<CheckedQdpx> {
  const timeoutMs = options.timeoutMs ?? readTimeoutMs
  const heapMb = options.heapMb ?? readerHeapMb
  // A copy of exactly these bytes (a Buffer's slice() would share them), moved rather than copied
  // again: cloning a view would copy the whole buffer behind it.
  const copy = new Uint8Array(bytes)
  return new Promise<CheckedQdpx>((resolve, reject) => {
    let worker: Worker
    try {
      worker = new Worker(options.worker ?? readerWorker, { workerData: { bytes: copy }, transferList: [copy.buffer], resourceLimits: { maxOldGenerationSizeMb: heapMb } })
    } catch (error) {
      return reject(new QdpxReaderThreadError(`The .qdpx reader thread could not start: ${(error as Error).message}`, { cause: error }))
    }
    let settled = false
    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      // Nothing is left for the thread to do; one that is still running (the deadline) is stopped.
      void worker.terminate()
      finish()
    }
    const deadline = setTimeout(
      () => settle(() => reject(new QdpxReaderThreadError(`Reading the .qdpx took longer than ${timeoutMs / 1000} s; its reader thread was stopped.`))),
      timeoutMs,
    )
    worker.on('message', (answer: WorkerAnswer) => settle(() => (answer.ok ? resolve(answer.checked) : reject(rebuilt(answer.error)))))
    worker.on('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new RefiTooLargeError(`The project is too large to read: reading it took more than ${heapMb} MiB of memory.`)
            : new QdpxReaderThreadError(`The .qdpx reader thread failed: ${error.message}`, { cause: error }),
        ),
      ),
    )
    worker.on('messageerror', (error) => settle(() => reject(new QdpxReaderThreadError(`The .qdpx reader thread's answer could not be read: ${error.message}`, { cause: error }))))
    worker.on('exit', (code) => settle(() => reject(new QdpxReaderThreadError(`The .qdpx reader thread stopped (exit code ${code}) before it answered.`))))
  })
}

/** The error the thread described, as the class readCheckedQdpx threw it (qda-import.ts maps each to its status). */
function rebuilt(error: Extract<WorkerAnswer, { ok: false }>['error']): Error {
  const made =
    error.kind === 'too_large'
      ? new RefiTooLargeError(error.message)
      : error.kind === 'duplicate_guid'
        ? new RefiDuplicateGuidError(error.guid ?? '', error.message)
        : error.kind === 'format'
          ? new RefiFormatError(error.message)
          : new Error(error.message)
  // Where it was thrown, on the thread: what the log of a 500 needs.
  if (error.stack) made.stack = error.stack
  return made
}

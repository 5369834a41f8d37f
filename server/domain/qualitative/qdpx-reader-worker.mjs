// The reader thread of one .qdpx import (see qdpx-reader.ts, which starts one per import): unzips the
// project, parses and walks its project.qde, and checks it against the REFI-QDA schema
// (readCheckedQdpx in refi-import.ts), so that the event loop goes on serving meanwhile.
//
// Plain JavaScript because a worker thread does not inherit the TypeScript loader the server runs
// under: under tsx (npm start) and under vitest alike, a .ts worker fails with "Unknown file extension
// .ts" (Node 20). The rules stay in one place, refi-import.ts, loaded here through tsx's own API, as the
// CLI's bin.mjs loads main.ts (tsx is a dependency: `npm start` runs on it).
//
// In:  workerData: { bytes: Uint8Array }, the .qdpx as uploaded.
// Out: one message, then the thread ends:
//      { ok: true, checked: { project, schemaErrors } } (CheckedQdpx), or
//      { ok: false, error: { kind, message, guid?, stack? } }: kind 'too_large', 'duplicate_guid' or
//      'format' for a file we cannot read (RefiTooLargeError, RefiDuplicateGuidError, RefiFormatError,
//      rebuilt as such on the other side), 'other' for anything else (a fault of ours).
import { parentPort, workerData } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

const { readCheckedQdpx, RefiDuplicateGuidError, RefiFormatError, RefiTooLargeError } = await tsImport('./refi-import.ts', import.meta.url)

/** An error as plain data: a class cannot cross to another thread, so its kind is named. */
function described(error) {
  const kind =
    error instanceof RefiTooLargeError ? 'too_large' : error instanceof RefiDuplicateGuidError ? 'duplicate_guid' : error instanceof RefiFormatError ? 'format' : 'other'
  return {
    kind,
    message: error instanceof Error ? error.message : String(error),
    ...(kind === 'duplicate_guid' ? { guid: error.guid } : {}),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  }
}

try {
  parentPort.postMessage({ ok: true, checked: await readCheckedQdpx(workerData.bytes) })
} catch (error) {
  parentPort.postMessage({ ok: false, error: described(error) })
}

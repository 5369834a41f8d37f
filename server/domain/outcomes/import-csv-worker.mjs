// The import's CSV parser, on a thread of its own (see `readRows` in import.ts, which starts it):
// csv-parse reads the file here while the import's own thread checks, scores and writes the forms
// already read, so the two use both cores (issue 16: parsing was a quarter of a 10k import's time on
// one thread). Plain JavaScript, so that it runs wherever the server does (tsx, vitest, plain node)
// without a TypeScript loader.
//
// In:  { chunk } the file's next bytes or text (line ends already made `\n`), or { end: true }.
// Out: one message per chunk, once csv-parse has read it, and one at the end:
//      { records, skipped } records: a JSON text of [line, fields, line, fields, …], each record's
//        fields as csv-parse gives them and the line it starts on (csv-parse counts the line it ends
//        on, less the line breaks inside its quoted fields); skipped: the lines csv-parse skipped,
//        as { code, message, lines, column, record } of its CsvError;
//      { records, skipped, end: true } after the last chunk; or
//      { records, skipped, failed: { code, message, lines, column, record } } when csv-parse stops
//        (a problem it cannot skip past, such as a quote never closed). Nothing comes after it.
import { parse } from 'csv-parse'
import { parentPort } from 'node:worker_threads'

/** The fields of a CsvError that the import's messages use (structured clone drops the rest). */
const described = (error) => ({ code: error.code, message: error.message, lines: error.lines, column: error.column, record: error.record })

/** How many line breaks a record's own fields hold (a quoted value may span lines). */
function breaksIn(fields) {
  let n = 0
  for (const f of fields) if (f.includes('\n')) n += f.split('\n').length - 1
  return n
}

let records = []
let skipped = []
let failed = false
const send = (extra) => {
  parentPort.postMessage({ records: JSON.stringify(records), skipped, ...extra })
  records = []
  skipped = []
}

const parser = parse({
  bom: true,
  trim: true,
  skip_empty_lines: true,
  // Strict: every line must have as many fields as the header. A line that has not is skipped and
  // reported, so that the file's every problem is listed in one go.
  skip_records_with_error: true,
  on_skip: (error) => {
    if (error) skipped.push(described(error))
    return undefined
  },
})
// Records are taken as arrays from 'data', which csv-parse emits while parsing, so `info.lines` is
// then the line the record ends on: an `on_record` callback or `columns` would build a context or an
// object per line, two thirds of the parse time on a large file.
parser.on('data', (fields) => {
  records.push(parser.info.lines - breaksIn(fields), fields)
})
parser.once('error', (error) => {
  failed = true
  send({ failed: described(error) })
})
parser.once('end', () => {
  if (!failed) send({ end: true })
})

parentPort.on('message', (message) => {
  if (failed) return
  if (message.end) parser.end()
  else
    parser.write(message.chunk, () => {
      if (!failed) send({})
    })
})

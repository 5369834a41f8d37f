import { CompiledQuery, type Insertable, type Kysely } from 'kysely'
import type { Database, DataSource, ResponseStatus } from '../schema'
import type { ResponseScore } from '../../domain/instruments/scoring'
import { newId } from '../ids'
import { preparedQuery } from '../prepared'

export type StoredResponse = {
  id: string
  participantId: string
  waveId: string | null
  instrumentId: string
  instrumentVersion: string
  answers: Record<string, unknown>
  status: ResponseStatus
  revision: number
  clientId: string | null
  source: DataSource
  startedAt: string
  updatedAt: string
  completedAt: string | null
}

function toResponse(r: Database['response']): StoredResponse {
  return {
    id: r.id,
    participantId: r.participant_id,
    waveId: r.wave_id,
    instrumentId: r.instrument_id,
    instrumentVersion: r.instrument_version,
    answers: JSON.parse(r.answers) as Record<string, unknown>,
    status: r.status,
    revision: r.revision,
    clientId: r.client_id,
    source: r.source,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  }
}

const responseInWave = preparedQuery<{ participantId: string; waveId: string; instrumentId: string }>()((db, v) =>
  db.selectFrom('response').selectAll().where('participant_id', '=', v.participantId).where('instrument_id', '=', v.instrumentId).where('wave_id', '=', v.waveId),
)
const responseOutsideWaves = preparedQuery<{ participantId: string; instrumentId: string }>()((db, v) =>
  db.selectFrom('response').selectAll().where('participant_id', '=', v.participantId).where('instrument_id', '=', v.instrumentId).where('wave_id', 'is', null),
)

/** The participant's response to one instrument in one wave (`waveId` null: asked once). Read on every save: prepared once. */
export async function findResponse(db: Kysely<Database>, participantId: string, waveId: string | null, instrumentId: string): Promise<StoredResponse | undefined> {
  const [r] = waveId === null ? await responseOutsideWaves(db, { participantId, instrumentId }) : await responseInWave(db, { participantId, waveId, instrumentId })
  return r && toResponse(r)
}

export async function findResponseByClientId(db: Kysely<Database>, clientId: string): Promise<StoredResponse | undefined> {
  const r = await db.selectFrom('response').selectAll().where('client_id', '=', clientId).executeTakeFirst()
  return r && toResponse(r)
}

export async function listResponsesOfParticipant(db: Kysely<Database>, participantId: string): Promise<StoredResponse[]> {
  const rows = await db.selectFrom('response').selectAll().where('participant_id', '=', participantId).orderBy('started_at').execute()
  return rows.map(toResponse)
}

export async function insertResponse(
  db: Kysely<Database>,
  r: Omit<StoredResponse, 'id' | 'startedAt' | 'updatedAt'>,
  now: Date,
): Promise<StoredResponse> {
  const row = responseRow(r, now.toISOString())
  await db.insertInto('response').values(row).execute()
  return toResponse(row)
}

/** The row of a new response, begun and last changed at `at`. */
function responseRow(r: Omit<StoredResponse, 'id' | 'startedAt' | 'updatedAt'>, at: string): Database['response'] {
  return {
    id: newId(),
    participant_id: r.participantId,
    wave_id: r.waveId,
    instrument_id: r.instrumentId,
    instrument_version: r.instrumentVersion,
    answers: JSON.stringify(r.answers),
    status: r.status,
    revision: r.revision,
    client_id: r.clientId,
    source: r.source,
    started_at: at,
    updated_at: at,
    completed_at: r.completedAt,
  }
}

export async function updateResponse(
  db: Kysely<Database>,
  id: string,
  change: { answers: Record<string, unknown>; revision: number; status?: ResponseStatus; clientId?: string | null; completedAt?: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('response')
    .set({
      answers: JSON.stringify(change.answers),
      revision: change.revision,
      updated_at: now.toISOString(),
      ...(change.status ? { status: change.status } : {}),
      ...(change.clientId !== undefined ? { client_id: change.clientId } : {}),
      ...(change.completedAt !== undefined ? { completed_at: change.completedAt } : {}),
    })
    .where('id', '=', id)
    .execute()
}

const draftAnswers = preparedQuery<{ id: string; answers: string; revision: number; updatedAt: string }>()((db, v) =>
  db.updateTable('response').set({ answers: v.answers, revision: v.revision, updated_at: v.updatedAt }).where('id', '=', v.id),
)

/** `updateResponse` of a draft's answers and revision alone: the save's own write, prepared once. */
export async function updateDraftAnswers(db: Kysely<Database>, id: string, change: { answers: Record<string, unknown>; revision: number }, now: Date): Promise<void> {
  await draftAnswers(db, { id, answers: JSON.stringify(change.answers), revision: change.revision, updatedAt: now.toISOString() })
}

/** Move a draft to another version of its instrument (`olderVersionAnswered` in journey.ts: the version its answers were given in). */
export async function setDraftVersion(db: Kysely<Database>, id: string, version: string): Promise<void> {
  await db.updateTable('response').set({ instrument_version: version }).where('id', '=', id).where('status', '=', 'draft').execute()
}

/** A completed response to store with its scores (none for a form that is not a questionnaire). */
export type NewScoredResponse = { response: Omit<StoredResponse, 'id' | 'startedAt' | 'updatedAt'>; score: ResponseScore | undefined }

/**
 * Insert new responses with their scores and flags, a few multi-row statements per table (an
 * import stores them a few hundred at a time; see `insertRows`). A list of any length is split.
 */
export async function insertScoredResponses(db: Kysely<Database>, list: NewScoredResponse[], now: Date): Promise<void> {
  if (list.length === 0) return
  const at = now.toISOString()
  const responses = list.map(({ response }) => responseRow(response, at))
  await insertRows(db, 'response', responses, 512)
  const scores = list.flatMap(({ score }, i) => (score?.scales ?? []).map((s) => scaleScoreRow(responses[i]!.id, s)))
  await insertRows(db, 'scale_score', scores, 1024)
  const flags = list.flatMap(({ score }, i) => (score?.flags ?? []).map((f) => ({ response_id: responses[i]!.id, flag_id: f.flag, item: f.item, value: f.value, severity: f.severity, raised_at: at })))
  await insertRows(db, 'response_flag', flags, 1024)
}

/** The text of each multi-row INSERT, by the engine's adapter, then by table, columns and row count. */
const insertTexts = new WeakMap<object, Map<string, string>>()

/**
 * Insert rows into one table, every row with the same columns in the same order and no undefined
 * value, in that order. Each statement's text is compiled by Kysely once per table, columns and row
 * count and run again with new values: building and compiling a statement of thousands of values per
 * batch was a third of an import's writing (issue 16). Rows go in groups of `most` and then powers of
 * two, so a table has at most a dozen texts (each prepared once on SQLite, see `memoizePrepare`).
 * `most` × columns must stay under SQLite's 32,766 bound values (`maxBindParameters`). Used by the
 * batch inserts of other repositories too (`insertCodings`, `insertCodes` …).
 *
 * @example
 * await insertRows(trx, 'member_check', rows, 1024) // 2,500 rows: statements of 1,024, 1,024, 256, 128, 64 and 4 rows
 */
export async function insertRows<T extends keyof Database & string>(db: Kysely<Database>, table: T, rows: readonly Insertable<Database[T]>[], most: number): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[]
  const adapter = db.getExecutor().adapter
  const texts = insertTexts.get(adapter) ?? insertTexts.set(adapter, new Map()).get(adapter)!
  for (let start = 0; start < rows.length; ) {
    let size = most
    while (size > rows.length - start) size >>= 1
    const key = `${table}(${columns.join()}) ${size}`
    let text = texts.get(key)
    if (text === undefined) texts.set(key, (text = db.insertInto(table).values(new Array(size).fill(rows[start])).compile().sql))
    const parameters: unknown[] = new Array(size * columns.length)
    let k = 0
    for (let r = start; r < start + size; r++) for (const column of columns) parameters[k++] = rows[r]![column]
    await db.executeQuery(CompiledQuery.raw(text, parameters))
    start += size
  }
}

/** A scale's score as `scale_score` stores it. */
function scaleScoreRow(responseId: string, s: ResponseScore['scales'][number]) {
  return { response_id: responseId, scale_id: s.scale, score: s.score, band_index: s.band?.index ?? null, answered: s.answered, prorated: s.prorated ? 1 : 0 }
}

/** Replace the stored scale scores of a response (its flags are left as they are). */
export async function replaceScaleScores(db: Kysely<Database>, responseId: string, scales: ResponseScore['scales']): Promise<void> {
  await db.deleteFrom('scale_score').where('response_id', '=', responseId).execute()
  if (scales.length > 0) await db.insertInto('scale_score').values(scales.map((s) => scaleScoreRow(responseId, s))).execute()
}

/**
 * Store a response's scores and flags as `score` gives them. A flag raised before and raised still
 * keeps its `raised_at` (its item and value are the new ones): a correction of another item does not
 * make an old flag look new in the Safety view, nor restart its re-notification clock; a new one is
 * raised `now`. With `keepFlags`, a flag raised before that `score` no longer raises stays as it was
 * (a researcher's correction: a safety flag the participant's own answer raised stays until a
 * researcher acknowledges it); without, it goes.
 *
 * Returns the ids of the flags the response had before (read here anyway), so that a caller need not
 * read them again.
 */
export async function replaceScores(db: Kysely<Database>, responseId: string, score: ResponseScore, now: Date, options: { keepFlags?: boolean } = {}): Promise<Set<string>> {
  const raised = new Map((await db.selectFrom('response_flag').select(['flag_id', 'raised_at']).where('response_id', '=', responseId).execute()).map((f) => [f.flag_id, f.raised_at]))
  await replaceScaleScores(db, responseId, score.scales)
  const replaced = options.keepFlags ? score.flags.map((f) => f.flag).filter((flag) => raised.has(flag)) : null
  if (replaced === null) await db.deleteFrom('response_flag').where('response_id', '=', responseId).execute()
  else if (replaced.length > 0) await db.deleteFrom('response_flag').where('response_id', '=', responseId).where('flag_id', 'in', replaced).execute()
  if (score.flags.length > 0) {
    await db
      .insertInto('response_flag')
      .values(score.flags.map((f) => ({ response_id: responseId, flag_id: f.flag, item: f.item, value: f.value, severity: f.severity, raised_at: raised.get(f.flag) ?? now.toISOString() })))
      .execute()
  }
  return new Set(raised.keys())
}

export type StoredScore = { scale: string; score: number | null; bandIndex: number | null; answered: number; prorated: boolean }

export async function listScores(db: Kysely<Database>, responseId: string): Promise<StoredScore[]> {
  const rows = await db.selectFrom('scale_score').selectAll().where('response_id', '=', responseId).orderBy('scale_id').execute()
  return rows.map((r) => ({ scale: r.scale_id, score: r.score, bandIndex: r.band_index, answered: r.answered, prorated: r.prorated === 1 }))
}

/** Delete one response; its scores, flags and answer history go with it (foreign keys cascade). */
export async function deleteResponse(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('response').where('id', '=', id).execute()
}

export async function deleteResponsesOfParticipant(db: Kysely<Database>, participantId: string): Promise<number> {
  const result = await db.deleteFrom('response').where('participant_id', '=', participantId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Every flag raised on a participant's responses, oldest first. */
export async function listFlagsOfParticipant(
  db: Kysely<Database>,
  participantId: string,
): Promise<{ waveId: string | null; instrument: string; flag: string; item: string; value: number; severity: string; raisedAt: string }[]> {
  const rows = await db
    .selectFrom('response_flag')
    .innerJoin('response', 'response.id', 'response_flag.response_id')
    .select(['response.wave_id', 'response.instrument_id', 'response_flag.flag_id', 'response_flag.item', 'response_flag.value', 'response_flag.severity', 'response_flag.raised_at'])
    .where('response.participant_id', '=', participantId)
    .orderBy('response_flag.raised_at')
    .execute()
  return rows.map((r) => ({ waveId: r.wave_id, instrument: r.instrument_id, flag: r.flag_id, item: r.item, value: r.value, severity: r.severity, raisedAt: r.raised_at }))
}

/** Status and last change of every response in a cohort, without the answers: for completion tracking. */
export async function listResponseStates(
  db: Kysely<Database>,
  cohortId: string,
): Promise<{ participantId: string; waveId: string | null; instrumentId: string; status: ResponseStatus; updatedAt: string }[]> {
  const rows = await db
    .selectFrom('response')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .select(['response.participant_id', 'response.wave_id', 'response.instrument_id', 'response.status', 'response.updated_at'])
    .where('participant.cohort_id', '=', cohortId)
    .execute()
  return rows.map((r) => ({ participantId: r.participant_id, waveId: r.wave_id, instrumentId: r.instrument_id, status: r.status, updatedAt: r.updated_at }))
}

/** Completed answers to a form asked once (demographics) by the participants of a cohort. */
export async function listEnrolmentAnswers(db: Kysely<Database>, cohortId: string, instrumentId: string): Promise<{ participantId: string; answers: Record<string, unknown> }[]> {
  const rows = await db
    .selectFrom('response')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .select(['response.participant_id', 'response.answers'])
    .where('participant.cohort_id', '=', cohortId)
    .where('response.wave_id', 'is', null)
    .where('response.instrument_id', '=', instrumentId)
    .where('response.status', '=', 'complete')
    .execute()
  return rows.map((r) => ({ participantId: r.participant_id, answers: JSON.parse(r.answers) as Record<string, unknown> }))
}

/** A response by its id. */
export async function findResponseById(db: Kysely<Database>, id: string): Promise<StoredResponse | undefined> {
  const r = await db.selectFrom('response').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toResponse(r)
}

/**
 * Store a response's answers only if nobody changed it since it was read (its revision is still
 * `expectedRevision`): the guard that makes read-then-write safe with several app servers. Returns
 * whether the row was updated.
 */
export async function updateResponseAnswersIfRevision(db: Kysely<Database>, id: string, expectedRevision: number, answers: Record<string, unknown>, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('response')
    .set({ answers: JSON.stringify(answers), revision: expectedRevision + 1, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('revision', '=', expectedRevision)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** How many responses the wave holds to each of `instrumentIds`: those with any, as `{ id, responses }`. */
export async function countResponsesOfWaveByInstrument(db: Kysely<Database>, waveId: string, instrumentIds: readonly string[]): Promise<{ id: string; responses: number }[]> {
  if (instrumentIds.length === 0) return []
  const rows = await db
    .selectFrom('response')
    .select(['instrument_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wave_id', '=', waveId)
    .where('instrument_id', 'in', [...instrumentIds])
    .groupBy('instrument_id')
    .execute()
  return rows.map((r) => ({ id: r.instrument_id, responses: Number(r.n) }))
}

/** How many responses (draft or complete) given at a link a wave has (not imported, nor the demo's). */
export async function countLinkResponsesOfWave(db: Kysely<Database>, waveId: string): Promise<number> {
  const row = await db.selectFrom('response').select((eb) => eb.fn.countAll<number>().as('n')).where('wave_id', '=', waveId).where('source', '=', 'link').executeTakeFirstOrThrow()
  return Number(row.n)
}

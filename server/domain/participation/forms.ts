/**
 * Which form a stored response was answered on. Responses are stored against `id@version`; this
 * finds that exact version, so a response is always read, validated and scored by its own form.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { StoredResponse } from '../../db/repositories/responses'
import type { Deps } from '../deps'
import type { Instrument } from '../instruments/registry'
import { resolveForm } from '../instruments/study-forms'

/** The form `response` was answered on. Throws when it is not loaded (a deployment error, not a user's). */
export async function instrumentOfResponse(deps: Deps, db: Kysely<Database>, response: Pick<StoredResponse, 'instrumentId' | 'instrumentVersion'>): Promise<Instrument> {
  // A study's own version of its demographics form lives in the database (study-forms.ts).
  const instrument = await resolveForm(deps, db, response.instrumentId, response.instrumentVersion)
  if (!instrument) throw new Error(`instrument ${response.instrumentId}@${response.instrumentVersion} is not loaded`)
  return instrument
}

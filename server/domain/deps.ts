import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { InstrumentRegistry } from './instruments/registry'

/** What the domain needs from the outside world; tests pass a fresh in-memory database and a fixed clock. */
export type Deps = {
  db: Kysely<Database>
  instruments: InstrumentRegistry
  now: () => Date
}

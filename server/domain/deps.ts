import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { InstrumentRegistry } from './instruments/registry'
import type { Mailer } from './messaging/mailer'

/** What the domain needs from the outside world; tests pass a fresh in-memory database and a fixed clock. */
export type Deps = {
  db: Kysely<Database>
  instruments: InstrumentRegistry
  now: () => Date
  /** The SMTP mailer (BALINT_SMTP_URL); absent when none is set, and then messages wait to be sent by hand. */
  mailer?: Mailer
}

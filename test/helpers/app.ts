/**
 * A fresh app over a freshly migrated database (in-memory SQLite, or PostgreSQL under
 * `npm run test:postgres`: see test-database.ts), with the shipped instruments and a clock
 * the test controls. Every test builds its own; nothing is shared between tests.
 */
import { createApp } from '../../server/app'
import type { Deps } from '../../server/domain/deps'
import { loadInstruments, shippedInstrumentsFolder, type InstrumentRegistry } from '../../server/domain/instruments/registry'
import type { KyselyPlugin } from 'kysely'
import { freshTestDatabase } from './test-database'

let shipped: InstrumentRegistry | undefined

/** The shipped instruments, loaded once per test file (they are read-only). */
export function shippedInstruments(): InstrumentRegistry {
  return (shipped ??= loadInstruments([shippedInstrumentsFolder]))
}

export type TestClock = { now: () => Date; set: (iso: string) => void; advance: (ms: number) => void }

export function testClock(start = '2026-03-02T09:00:00.000Z'): TestClock {
  let current = new Date(start)
  return {
    now: () => new Date(current),
    set: (iso) => {
      current = new Date(iso)
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms)
    },
  }
}

export async function testDeps(clock: TestClock = testClock()): Promise<Deps & { clock: TestClock }> {
  const db = await freshTestDatabase()
  return { db, instruments: shippedInstruments(), now: clock.now, clock }
}

export async function testApp(options: { clock?: TestClock; maxBodyBytes?: number } = {}) {
  const deps = await testDeps(options.clock)
  const app = createApp(deps, { maxBodyBytes: options.maxBodyBytes })
  return { app, deps, db: deps.db, clock: deps.clock }
}

/** JSON request helper for app.request(). */
export function jsonRequest(method: string, body?: unknown): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }
}

/**
 * `deps` over the same database, counting the statements run through it (a Kysely plugin sees each
 * query once): for tests that a piece of work takes as many statements for many rows as for few.
 */
export function countingStatements<D extends Deps>(deps: D): { deps: D; count: () => number; reset: () => void } {
  let statements = 0
  const counting: KyselyPlugin = {
    transformQuery: (args) => {
      statements++
      return args.node
    },
    transformResult: async (args) => args.result,
  }
  return { deps: { ...deps, db: deps.db.withPlugin(counting) }, count: () => statements, reset: () => void (statements = 0) }
}

import type { Kysely } from 'kysely'
import type { Database } from '../schema'

export type ThrottleState = { key: string; failures: number; nextAttemptAt: string; updatedAt: string }

export async function findThrottles(db: Kysely<Database>, keys: string[]): Promise<ThrottleState[]> {
  if (keys.length === 0) return []
  const rows = await db.selectFrom('sign_in_throttle').selectAll().where('key', 'in', keys).execute()
  return rows.map((r) => ({ key: r.key, failures: r.failures, nextAttemptAt: r.next_attempt_at, updatedAt: r.updated_at }))
}

/**
 * Compare-and-set: write the new state only if the row still has the failures we read (or, for a
 * new key, does not exist yet). Returns false when another request got there first, so the caller
 * reads again. Correct under any isolation level, on SQLite and PostgreSQL alike.
 */
export async function swapThrottle(db: Kysely<Database>, key: string, expectedFailures: number | null, next: { failures: number; nextAttemptAt: string; updatedAt: string }): Promise<boolean> {
  if (expectedFailures === null) {
    const result = await db
      .insertInto('sign_in_throttle')
      .values({ key, failures: next.failures, next_attempt_at: next.nextAttemptAt, updated_at: next.updatedAt })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
  }
  const result = await db
    .updateTable('sign_in_throttle')
    .set({ failures: next.failures, next_attempt_at: next.nextAttemptAt, updated_at: next.updatedAt })
    .where('key', '=', key)
    .where('failures', '=', expectedFailures)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteThrottles(db: Kysely<Database>, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.deleteFrom('sign_in_throttle').where('key', 'in', keys).execute()
}

/** Forget keys untouched since `before`, so made-up emails cannot grow the table for ever. */
export async function deleteThrottlesBefore(db: Kysely<Database>, before: Date): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('updated_at', '<', before.toISOString()).execute()
}

/** Take one count back (an attempt that turned out to succeed); the back-off already set stays. */
export async function uncountThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.updateTable('sign_in_throttle').set((eb) => ({ failures: eb('failures', '-', 1) })).where('key', '=', key).where('failures', '>', 0).execute()
}

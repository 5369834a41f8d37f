import { Migrator, type Kysely, type MigrationResultSet } from 'kysely'
import { migrations } from '../../migrations/index'
import { databaseEngine } from './connection'
import { checkPostgresDatabase } from './postgres'

/**
 * Bring the database to the latest schema. Throws with the failing migration's name. On PostgreSQL,
 * Kysely's migrator holds an advisory lock, so app servers starting together migrate once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // A PostgreSQL database whose text sorts differently from SQLite's is refused before any change.
  if (databaseEngine(db) === 'postgres') await checkPostgresDatabase(db)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const result = await migrator.migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((result.error as Error).message ?? result.error)}`)
  }
  return result
}

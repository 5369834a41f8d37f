/**
 * vitest's global set-up for `npm run test:postgres`: starts a throw-away PostgreSQL cluster
 * (`postgres-cluster.ts`), migrates the template database the tests copy, and hands the cluster's URL
 * to the workers in BALINT_TEST_POSTGRES_URL. Without BALINT_TEST_DATABASE=postgres it does nothing.
 */
import { sql } from 'kysely'
import { migrateToLatest } from '../../server/db/migrate'
import { openPostgres } from '../../server/db/postgres'
import { databaseUrl, startPostgresCluster } from './postgres-cluster'
import { templateDatabase } from './test-database'

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.BALINT_TEST_DATABASE !== 'postgres') return undefined
  const cluster = await startPostgresCluster()
  try {
    const admin = openPostgres(cluster.url, { poolSize: 1 })
    await sql`create database ${sql.id(templateDatabase)} template template0 encoding 'UTF8' locale 'C'`.execute(admin)
    await admin.destroy()
    const template = openPostgres(databaseUrl(cluster.url, templateDatabase), { poolSize: 1 })
    await migrateToLatest(template)
    await template.destroy()
  } catch (error) {
    cluster.stop()
    throw error
  }
  process.env.BALINT_TEST_POSTGRES_URL = cluster.url
  process.env.BALINT_PG_BIN = cluster.binDir
  return () => cluster.stop()
}

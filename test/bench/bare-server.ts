/**
 * The baseline for the save benchmark: a bare Hono app that inserts each request's JSON into one
 * better-sqlite3 table, with the same pragmas as the platform (WAL, every commit synced, foreign keys). No validation,
 * no scoring, no transaction logic: what the hardware and libraries give before our code runs.
 */
import { serve } from '@hono/node-server'
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'

const db = new Database(process.argv[2] ?? ':memory:')
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.pragma('foreign_keys = ON')
db.exec('create table if not exists draft (id integer primary key, participant text not null, answers text not null, revision integer not null)')
const insert = db.prepare('insert into draft (participant, answers, revision) values (?, ?, ?)')

const app = new Hono().put('/save/:participant', async (c) => {
  const body = await c.req.json<{ answers: unknown; revision: number }>()
  insert.run(c.req.param('participant'), JSON.stringify(body.answers), body.revision)
  return c.json({ ok: true })
})

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
})

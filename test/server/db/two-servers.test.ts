/**
 * Two app servers on one PostgreSQL database, as behind a load balancer (issue 15): 50 participants
 * save answers and submit, every request sent to BOTH servers at once, and one server is killed
 * (SIGKILL) in the middle. Every answer a server acknowledged must be stored exactly once, every
 * participant has exactly one response, completed once.
 *
 * PostgreSQL only (`npm run test:postgres`): two servers on one SQLite file are refused by design
 * (the writer lease, connection.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../server/db/connection'
import { startServerProcess, type ServerProcess } from '../../helpers/processes'
import { emptyPostgresDatabase, testEngine } from '../../helpers/test-database'

const participants = 50
const rounds = 6
const phq9 = Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`)

type Acked = { token: string; question: string; answeredAt: string; deviceId: string }

/** A PUT or POST that resolves to the status and body, or to undefined when the server is gone. */
async function send(server: ServerProcess, path: string, method: string, body: unknown): Promise<{ status: number; body: any } | undefined> {
  try {
    const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
  } catch {
    return undefined
  }
}

describe.skipIf(testEngine !== 'postgres')('two servers on one PostgreSQL database (PostgreSQL only: SQLite allows one server by design)', () => {
  it('lose no acknowledged answer and store each exactly once when one of them is killed mid-load', { timeout: 180_000 }, async () => {
    const url = await emptyPostgresDatabase('two')
    const a = await startServerProcess(url, participants)
    const b = await startServerProcess(url)
    const servers = [a, b] as const
    const acked: Acked[] = []
    const completed = new Map<string, { server: string; completedAt: string }[]>()
    const unexpected: string[] = []
    let killedAfter = -1
    try {
      const killB = (async () => {
        // Mid-load: once a third of the saves have been acknowledged.
        while (acked.length < (participants * rounds * phq9.length) / 3) await new Promise((r) => setTimeout(r, 20))
        killedAfter = acked.length
        b.child.kill('SIGKILL')
        await b.exited
      })()
      await Promise.all(
        a.tokens.map(async (token, p) => {
          for (let round = 1; round <= rounds; round++) {
            // Each server gets its own device and questions, a second apart, in the past (times in the future are clamped).
            await Promise.all(
              servers.map(async (server, s) => {
                const deviceId = `device-${s === 0 ? 'a' : 'b'}-${p}`
                const answeredAt = new Date(Date.UTC(2026, 0, 1) + (round * 2 + s) * 1000).toISOString()
                const answers = phq9.filter((_, i) => i % 2 === s).map((question) => ({ question, value: (round + p) % 4, answeredAt }))
                const res = await send(server, `/api/p/${token}/forms/pre/phq-9/answers`, 'PUT', { deviceId, answers })
                if (res?.status === 200) for (const answer of answers) acked.push({ token, question: answer.question, answeredAt, deviceId })
                else if (res) unexpected.push(`save ${res.status} ${JSON.stringify(res.body)}`)
              }),
            )
          }
          // The same submit (one client id) to both at once: a double-tapped submit reaching two servers.
          const clientId = `submit-${p}-${token.slice(0, 8)}`
          await Promise.all(
            servers.map(async (server, s) => {
              const res = await send(server, `/api/p/${token}/forms/pre/phq-9/complete`, 'POST', { clientId })
              if (res?.status === 200) completed.set(token, [...(completed.get(token) ?? []), { server: s === 0 ? 'a' : 'b', completedAt: res.body.completedAt }])
              else if (res) unexpected.push(`submit ${res.status} ${JSON.stringify(res.body)}`)
            }),
          )
        }),
      )
      await killB
    } finally {
      a.child.kill('SIGTERM')
      b.child.kill('SIGKILL')
      await Promise.all([a.exited, b.exited])
    }

    // A failure names the servers' own error log lines.
    const errors = [a, b].flatMap((server) => server.stdout().split('\n').filter((line) => line.includes('"level":50')))
    expect({ unexpected, errors }).toEqual({ unexpected: [], errors: [] })
    expect(killedAfter).toBeGreaterThan(0)
    expect(acked.length).toBeGreaterThan(killedAfter)
    const db = openDatabase(url)
    try {
      const responses = await db.selectFrom('response').innerJoin('participant_link', 'participant_link.participant_id', 'response.participant_id').select(['response.id', 'response.participant_id', 'response.status']).execute()
      // One response per participant, each completed.
      expect(responses).toHaveLength(participants)
      expect(new Set(responses.map((r) => r.participant_id)).size).toBe(participants)
      expect(responses.every((r) => r.status === 'complete')).toBe(true)
      // Completed once: one audit entry per response, whatever the number of servers that answered the submit.
      const completions = await db.selectFrom('audit_log').select(['entity_id']).where('action', '=', 'response.complete').execute()
      expect(completions.map((c) => c.entity_id).sort()).toEqual(responses.map((r) => r.id).sort())
      // Every participant got at least one acknowledgement of the submit, and both servers gave the same completion time.
      expect(completed.size).toBe(participants)
      for (const answers of completed.values()) expect(new Set(answers.map((x) => x.completedAt)).size).toBe(1)

      // Every answer stored: current or in history, never twice.
      const current = await db.selectFrom('response_answer').select(['response_id', 'question', 'answered_at', 'device_id']).execute()
      const history = await db.selectFrom('response_answer_history').select(['response_id', 'question', 'answered_at', 'device_id']).execute()
      const stored = new Map<string, number>()
      for (const row of [...current, ...history]) {
        const key = `${row.response_id}|${row.question}|${row.answered_at}|${row.device_id}`
        stored.set(key, (stored.get(key) ?? 0) + 1)
      }
      expect([...stored.values()].filter((n) => n !== 1)).toEqual([])
      const { hashToken } = await import('../../../server/domain/participation/tokens')
      const links = await db.selectFrom('participant_link').innerJoin('response', 'response.participant_id', 'participant_link.participant_id').select(['participant_link.token_hash', 'response.id']).execute()
      const responseOf = new Map(links.map((l) => [l.token_hash, l.id]))
      const missing = acked.filter((x) => stored.get(`${responseOf.get(hashToken(x.token))}|${x.question}|${x.answeredAt}|${x.deviceId}`) !== 1)
      expect(missing).toEqual([])
      expect(acked.length).toBeGreaterThan(participants * rounds * 2)
    } finally {
      await db.destroy()
    }
  })
})

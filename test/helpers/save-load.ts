/**
 * Participants saving answers over real HTTP, as fast as the server acknowledges them: each token
 * answers PHQ-9 items 1 and 2 again and again, each time later by the device's clock, so every
 * acknowledged save raises the response's revision by one. Every acknowledged save is recorded with
 * its time, so a test can ask which answers a backup or a restart must have kept.
 */
export type Ack = { token: string; revision: number; at: number }

export function saveLoad(url: string, tokens: string[]) {
  const acks: Ack[] = []
  const failures: { token: string; revision: number; status: number; body: string }[] = []
  let running = true
  const loops = tokens.map(async (token) => {
    for (let revision = 1; running; revision++) {
      // Given one second apart, in the past (the server clamps times in the future to its own now).
      const answeredAt = new Date(Date.UTC(2026, 0, 1) + revision * 1000).toISOString()
      const res = await fetch(`${url}/api/p/${token}/forms/pre/phq-9/answers`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deviceId: 'save-load-device',
          answers: [
            { question: 'phq9_1', value: revision % 4, answeredAt },
            { question: 'phq9_2', value: (revision + 1) % 4, answeredAt },
          ],
        }),
      })
      const body = await res.text()
      if (res.status === 200) acks.push({ token, revision, at: performance.now() })
      else failures.push({ token, revision, status: res.status, body })
    }
  })
  return {
    acks,
    failures,
    /** Stop after the saves in flight; resolves when every loop has ended. */
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

/** The highest acknowledged revision per token, of the saves acknowledged before `before` (all when omitted). */
export function lastAcked(acks: Ack[], before = Infinity): Map<string, number> {
  const last = new Map<string, number>()
  for (const ack of acks) if (ack.at < before) last.set(ack.token, Math.max(last.get(ack.token) ?? 0, ack.revision))
  return last
}

/**
 * Participants saving answers over real HTTP, as fast as the server acknowledges them: each token
 * saves its PHQ-9 draft with a growing revision. Every acknowledged save is recorded with its time,
 * so a test can ask which answers a backup or a restart must have kept.
 */
export type Ack = { token: string; revision: number; at: number }

export function saveLoad(url: string, tokens: string[]) {
  const acks: Ack[] = []
  const failures: { token: string; revision: number; status: number; body: string }[] = []
  let running = true
  const loops = tokens.map(async (token) => {
    for (let revision = 1; running; revision++) {
      const res = await fetch(`${url}/api/p/${token}/forms/pre/phq-9/draft`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { phq9_1: revision % 4, phq9_2: (revision + 1) % 4 }, revision }),
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

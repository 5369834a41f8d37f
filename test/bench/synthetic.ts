/**
 * The synthetic study of the benchmark: `participants` × 4 instruments (PHQ-9, GAD-7, WHO-5, CBI) ×
 * 2 waves (pre, post), one long-CSV line per answer, from a small deterministic generator (mulberry32)
 * so every run imports the same data. Written to a file a participant at a time.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

export const syntheticInstruments: [string, string[], number[]][] = [
  ['phq-9', Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`), [0, 1, 2, 3]],
  ['gad-7', Array.from({ length: 7 }, (_, i) => `gad7_${i + 1}`), [0, 1, 2, 3]],
  ['who-5', Array.from({ length: 5 }, (_, i) => `who5_${i + 1}`), [0, 1, 2, 3, 4, 5]],
  [
    'cbi',
    [...Array.from({ length: 6 }, (_, i) => `cbi_p${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `cbi_w${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `cbi_c${i + 1}`)],
    [0, 25, 50, 75, 100],
  ],
]

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Write the synthetic long CSV of `participants` participants to `path`; resolves with its line count. */
export async function writeSyntheticCsv(path: string, participants: number): Promise<number> {
  const next = random(42)
  const pick = (values: number[]) => values[Math.floor(next() * values.length)]!
  const out = createWriteStream(path)
  out.write('participant,wave,instrument,item,value\n')
  let lines = 0
  for (let p = 1; p <= participants; p++) {
    const chunk: string[] = []
    for (const wave of ['pre', 'post']) {
      for (const [id, items, values] of syntheticInstruments) for (const item of items) chunk.push(`P${p},${wave},${id},${item},${pick(values)}\n`)
    }
    lines += chunk.length
    if (!out.write(chunk.join(''))) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return lines
}

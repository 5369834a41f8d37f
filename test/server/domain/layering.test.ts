/**
 * The house rules of server/domain/ (README, "How the code is laid out"): the rules layer never
 * imports the HTTP layer above it, and its root holds only the error type and a few shared helpers;
 * everything else lives in the folder of its part of the platform.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const domain = resolve(__dirname, '../../../server/domain')
const server = resolve(domain, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) ? [path] : []
  })
}

/** Every relative import of a file, resolved to a path below server/ (`http/errors`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => relative(server, resolve(dirname(file), m[1]!)))
}

describe('server/domain/', () => {
  it('imports nothing from server/http/ or server/routes/', () => {
    const upward = sourceFiles(domain).flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(http|routes)\//.test(target))
        .map((target) => `${relative(server, file)} → ${target}`),
    )
    expect(upward).toEqual([])
  })

  it('keeps at most five files at its root: the error type and small shared helpers', () => {
    const root = readdirSync(domain).filter((name) => statSync(join(domain, name)).isFile())
    expect(root).toContain('errors.ts')
    expect(root.length).toBeLessThanOrEqual(5)
  })
})

/** The CLI, run in-process over a test database: each run returns its exit code and what it printed. */
import { runCli } from '../../server/cli/program'
import { migrateToLatest } from '../../server/db/migrate'
import type { Deps } from '../../server/domain/deps'

export const testBaseUrl = 'http://localhost:3000'

/** A `run(...argv)` over these deps. */
export function cliRunner(deps: Deps) {
  return async (...argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      deps: async () => deps,
      migrate: async () => ((await migrateToLatest(deps.db)).results ?? []).map((r) => r.migrationName),
      baseUrl: testBaseUrl,
    })
    return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') }
  }
}

import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { cliNodeFlags } from '../../../server/cli/node-flags'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const run = promisify(execFile)

/**
 * Run a command with a module preloaded in every Node.js process it starts (npm and tsx start some
 * of their own) that prints, as the process ends, the script it ran and the flags Node.js was given.
 * Returns the flags of the process whose script is one of `scripts`.
 */
async function nodeFlagsOf(command: string, args: string[], scripts: RegExp): Promise<string[]> {
  const probe = `data:text/javascript,process.on('exit',()=>process.stderr.write('flags:'+JSON.stringify([process.argv[1],process.execArgv])+'\\n'))`
  const { stderr } = await run(command, args, { cwd: root, env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } })
  const runs = stderr
    .split('\n')
    .filter((line) => line.startsWith('flags:'))
    .map((line) => JSON.parse(line.slice('flags:'.length)) as [string, string[]])
  const found = runs.find(([script]) => scripts.test(script ?? ''))
  if (!found) throw new Error(`no process ran ${scripts}: ${JSON.stringify(runs)}`)
  return found[1].filter((flag) => !/^--(require|import)$/.test(flag) && !flag.includes('tsx'))
}

describe('the Node.js flags of the balint CLI (issue 16: the import\'s peak memory)', () => {
  it('the balint bin runs Node.js with them, from its first line', async () => {
    expect(await nodeFlagsOf(`${root}server/cli/bin.mjs`, ['--help'], /server\/cli\/bin\.mjs$/)).toEqual([...cliNodeFlags])
  }, 30_000)

  it('npm run balint runs the CLI with them', async () => {
    expect(await nodeFlagsOf('npm', ['run', '--silent', 'balint', '--', '--help'], /server\/cli\/main\.ts$/)).toEqual([...cliNodeFlags])
  }, 30_000)
})

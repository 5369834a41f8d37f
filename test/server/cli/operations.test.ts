/**
 * The operator's commands, in-process over a test database: `admin create` and `admin setup-link`
 * (the set-up link after `demo`), and exports that are owner-only, refuse symlinks and can carry a BOM.
 * Backup and restore run as real processes in test/server/db/backup.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { createCode } from '../../../server/domain/qualitative/codebook'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../../server/app'
import { jsonRequest, testDeps } from '../../helpers/app'
import { cliRunner, testBaseUrl } from '../../helpers/cli'
import { smallCohort } from '../../helpers/export-cohort'

describe('balint admin', () => {
  it('setup-link after demo: the demo does not take the first administrator’s set-up away', async () => {
    const deps = await testDeps()
    const run = cliRunner(deps)
    expect((await run('demo')).code).toBe(0)
    const printed = await run('admin', 'setup-link')
    expect(printed.code).toBe(0)
    const link = /\/setup\/([A-Za-z0-9_-]{43})/.exec(printed.stdout)!
    expect(printed.stdout).toContain(`${testBaseUrl}/setup/`)
    const app = createApp(deps)
    const res = await app.request('/api/auth/setup', jsonRequest('POST', { token: link[1], name: 'Ada', email: 'ada@example.org', password: 'a long enough password' }))
    expect(res.status).toBe(201)
    // Once an administrator exists, no more set-up links.
    const refused = await run('admin', 'setup-link')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/an administrator already exists/)
  })

  it('create --email prints a one-time link where the new administrator chooses a password', async () => {
    const deps = await testDeps()
    const run = cliRunner(deps)
    const made = await run('--json', 'admin', 'create', '--email', 'Ada@Hospital.example', '--name', 'Ada Lovelace')
    expect(made.code).toBe(0)
    const body = JSON.parse(made.stdout) as { email: string; isAdmin: boolean; link: string }
    expect(body).toMatchObject({ email: 'ada@hospital.example', isAdmin: true, link: expect.stringMatching(new RegExp(`^${testBaseUrl}/reset/`)) })
    const token = body.link.split('/reset/')[1]!
    const app = createApp(deps)
    // No password works before the link is used.
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: 'ada@hospital.example', password: 'a long enough password' }))).status).toBe(401)
    expect((await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'amber kettle under moonlight' }))).status).toBe(200)
    const me = await app.request('/api/auth/sign-in', jsonRequest('POST', { email: 'ada@hospital.example', password: 'amber kettle under moonlight' }))
    expect(((await me.json()) as { user: { isAdmin: boolean } }).user.isAdmin).toBe(true)
    // The same email again is refused; --no-admin makes ordinary staff.
    expect((await run('admin', 'create', '--email', 'ada@hospital.example')).code).toBe(1)
    expect(JSON.parse((await run('--json', 'admin', 'create', '--email', 'bo@hospital.example', '--no-admin')).stdout).isAdmin).toBe(false)
    expect((await run('admin', 'create', '--email', 'not-an-email')).stderr).toMatch(/must be an email address/)
  })
})

describe('balint export, safely', () => {
  it('writes owner-only files, refuses to write through a symlink in the folder, and adds a BOM with --bom', async () => {
    const deps = await testDeps()
    const run = cliRunner(deps)
    const { cohort } = await smallCohort(deps)
    const folder = mkdtempSync(join(tmpdir(), 'balint-safe-export-'))
    const victim = join(folder, 'victim.txt')
    writeFileSync(victim, 'not to be overwritten')
    const out = join(folder, 'out')
    expect((await run('export', '--cohort', cohort.id, '--out', out)).code).toBe(0)
    expect(statSync(join(out, 'wide.csv')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(out, 'wide.csv'), 'utf8').startsWith('\uFEFF')).toBe(false)

    const planted = join(folder, 'planted')
    expect((await run('export', '--cohort', cohort.id, '--out', planted)).code).toBe(0)
    // A symlink planted where an export goes: the export stops, the link's target is untouched.
    unlinkSync(join(planted, 'answers_long.csv'))
    symlinkSync(victim, join(planted, 'answers_long.csv'))
    const refused = await run('export', '--cohort', cohort.id, '--out', planted)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/answers_long\.csv is a symbolic link; refusing to write through it/)
    expect(readFileSync(victim, 'utf8')).toBe('not to be overwritten')

    const bom = join(folder, 'bom')
    expect((await run('export', '--cohort', cohort.id, '--out', bom, '--bom')).code).toBe(0)
    expect(readFileSync(join(bom, 'wide.csv'), 'utf8').startsWith('\uFEFFparticipant')).toBe(true)
    expect(readFileSync(join(bom, 'analysis.R'), 'utf8').startsWith('\uFEFF')).toBe(false)
    expect(existsSync(join(bom, 'dictionary.csv'))).toBe(true)
  })

  it('export-qdc refuses a symlink at --out', async () => {
    const deps = await testDeps()
    const run = cliRunner(deps)
    const { study } = await smallCohort(deps)
    const theme = await createCode(deps, study.id, { level: 'theme', name: 'AT&T; &nbsp; ]]>' }, 'test')
    const category = await createCode(deps, study.id, { level: 'category', name: 'Category', parentId: theme.id }, 'test')
    await createCode(deps, study.id, { level: 'code', name: '=cmd', parentId: category.id }, 'test')
    const folder = mkdtempSync(join(tmpdir(), 'balint-safe-qdc-'))
    // Without the link, it writes.
    expect((await run('export-qdc', '--study', study.id, '--out', join(folder, 'plain.qdc'))).code).toBe(0)
    expect(readFileSync(join(folder, 'plain.qdc'), 'utf8')).toContain('name="AT&amp;T; &amp;nbsp; ]]&gt;"')
    expect(statSync(join(folder, 'plain.qdc')).mode & 0o777).toBe(0o600)
    writeFileSync(join(folder, 'victim.txt'), 'keep')
    symlinkSync(join(folder, 'victim.txt'), join(folder, 'codebook.qdc'))
    const res = await run('export-qdc', '--study', study.id, '--out', join(folder, 'codebook.qdc'))
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/symbolic link/)
    expect(readFileSync(join(folder, 'victim.txt'), 'utf8')).toBe('keep')
  })
})

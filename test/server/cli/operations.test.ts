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
import { signedInStaff } from '../../helpers/staff'
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

describe('balint role grant', () => {
  it('opens a study made from the command line (the demo) to a staff account in the web app, and names what is wrong', async () => {
    const deps = await testDeps()
    const run = cliRunner(deps)
    const demo = await run('demo')
    expect(demo.code).toBe(0)
    // The demo says how to open it in the web app, and no longer says its post wave is open.
    expect(demo.stdout).toContain('role grant --study')
    expect(demo.stdout).not.toContain('pre and post questionnaires are open now')
    const studyId = /Demo study (\S+)\./.exec(demo.stdout)![1]!
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const app = createApp(deps)
    const studies = async () => (await (await app.request('/api/studies', { headers: admin.headers })).json()) as { id: string }[]
    // Made from the command line, the study is no one's: not even an administrator sees it.
    expect(await studies()).toEqual([])
    const granted = await run('--json', 'role', 'grant', '--study', studyId, '--email', admin.email.toUpperCase(), '--role', 'researcher')
    expect(granted.code).toBe(0)
    expect(JSON.parse(granted.stdout)).toMatchObject({ email: admin.email, role: 'researcher' })
    expect((await studies()).map((s) => s.id)).toEqual([studyId])
    expect((await app.request(`/api/studies/${studyId}`, { headers: admin.headers })).status).toBe(200)
    // Audited with the operating system's user; the study now has a researcher, who staffs it in the
    // web app: another grant here needs --force, and one held already changes nothing and says so
    // (found by a newcomer's walk-through: it was told to use --force, as was an unknown account).
    const grants = async () => (await deps.db.selectFrom('audit_log').select(['actor', 'entity_id', 'details']).where('action', '=', 'role.grant').execute()).map((g) => ({ ...g, details: JSON.parse(g.details) }))
    expect(await grants()).toEqual([{ actor: 'cli', entity_id: studyId, details: { userId: admin.user.id, role: 'researcher', osUser: expect.any(String) } }])
    const again = await run('role', 'grant', '--study', studyId, '--email', admin.email, '--role', 'researcher')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/was researcher in study .* already/)
    expect(await grants()).toHaveLength(1)
    expect((await run('role', 'grant', '--study', studyId, '--email', 'nobody@example.org', '--role', 'interviewer')).stderr).toMatch(/no staff account has this email/)
    const lead = await signedInStaff(deps)
    expect((await run('role', 'grant', '--study', studyId, '--email', lead.email, '--role', 'program_lead')).stderr).toMatch(/has a researcher already.*--force/)
    expect((await run('role', 'grant', '--study', studyId, '--email', lead.email, '--role', 'program_lead', '--force')).code).toBe(0)
    expect(await grants()).toHaveLength(2)
    // A disabled account gets nothing.
    await deps.db.updateTable('staff_user').set({ disabled_at: deps.now().toISOString() }).where('id', '=', lead.user.id).execute()
    expect((await run('role', 'grant', '--study', studyId, '--email', lead.email, '--role', 'interviewer', '--force')).stderr).toMatch(/this staff account is disabled/)
    const adminRoles = async () => (await deps.db.selectFrom('study_role').select('role').where('user_id', '=', admin.user.id).execute()).map((r) => r.role)
    expect(await adminRoles()).toEqual(['researcher'])
    // An unknown account, an unknown study and an unknown role are errors, and write nothing.
    expect((await run('role', 'grant', '--study', studyId, '--email', 'nobody@example.org', '--role', 'researcher', '--force')).stderr).toMatch(/no staff account has this email/)
    expect((await run('role', 'grant', '--study', 'no-such-study', '--email', admin.email, '--role', 'researcher')).stderr).toMatch(/No such study/)
    const badRole = await run('role', 'grant', '--study', studyId, '--email', admin.email, '--role', 'owner', '--force')
    expect(badRole.code).not.toBe(0)
    expect(badRole.stderr).toMatch(/researcher, program_lead, group_leader, interviewer/)
    expect(await adminRoles()).toEqual(['researcher'])
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

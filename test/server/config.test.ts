/** The operator's settings: proxy trust, the public address and scheduled backups, with clear errors. */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config'

describe('loadConfig', () => {
  it('trusts a proxy only when told, and schedules backups only with a folder', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: false, backup: undefined, baseUrl: 'http://127.0.0.1:3000' })
    expect(loadConfig({ BALINT_TRUST_PROXY: 'true' }).trustProxy).toBe(true)
    expect(loadConfig({ BALINT_TRUST_PROXY: '1' }).trustProxy).toBe(true)
    expect(loadConfig({ BALINT_TRUST_PROXY: 'no' }).trustProxy).toBe(false)
    expect(loadConfig({ BALINT_BACKUP_DIR: '/backups' }).backup).toEqual({ folder: '/backups', intervalMs: 24 * 3600_000, keep: 14 })
    expect(loadConfig({ BALINT_BACKUP_DIR: '/b', BALINT_BACKUP_INTERVAL_HOURS: '6', BALINT_BACKUP_KEEP: '4' }).backup).toEqual({ folder: '/b', intervalMs: 6 * 3600_000, keep: 4 })
    expect(loadConfig({ BALINT_BASE_URL: 'https://balint.hospital.example/' }).baseUrl).toBe('https://balint.hospital.example')
  })

  it('refuses settings that cannot work, naming the variable', () => {
    expect(() => loadConfig({ BALINT_BASE_URL: 'balint.hospital.example' })).toThrow(/BALINT_BASE_URL must be an http:\/\/ or https:\/\/ address/)
    expect(() => loadConfig({ BALINT_BACKUP_INTERVAL_HOURS: '0' })).toThrow(/BALINT_BACKUP_INTERVAL_HOURS/)
    expect(() => loadConfig({ BALINT_BACKUP_KEEP: '1.5' })).toThrow(/BALINT_BACKUP_KEEP/)
    expect(() => loadConfig({ BALINT_SMTP_URL: 'mail.example.org' })).toThrow(/BALINT_SMTP_URL must be an smtp:\/\/ or smtps:\/\/ address/)
    expect(() => loadConfig({ BALINT_SMTP_URL: 'smtp://mail.example.org:587' })).toThrow(/BALINT_SMTP_FROM must be set/)
  })

  it('sends email only with an SMTP server', () => {
    expect(loadConfig({}).smtp).toBeUndefined()
    expect(loadConfig({ BALINT_SMTP_URL: 'smtps://u:p@mail.example.org', BALINT_SMTP_FROM: 'Study <study@example.org>' }).smtp).toEqual({ url: 'smtps://u:p@mail.example.org', from: 'Study <study@example.org>' })
    expect(loadConfig({}).jobIntervalMs).toBe(15_000)
  })
})

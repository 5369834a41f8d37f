/** A study chooses its consent form among the loaded consent files; anything else is refused. */
import { describe, expect, it } from 'vitest'
import { findStudy } from '../../../server/db/repositories/studies'
import { createStudy } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

describe('PATCH /api/studies/:id consentInstrument', () => {
  it('accepts a loaded consent form and refuses a questionnaire or an unknown id, naming the field', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const patch = (body: unknown) => app.request(`/api/studies/${study.id}`, { ...jsonRequest('PATCH', body), headers: { ...researcher.headers, 'content-type': 'application/json' } })

    for (const id of ['phq-9', 'no-such-form']) {
      const res = await patch({ consentInstrument: id })
      expect(res.status).toBe(422)
      expect((await res.json()).error.details).toEqual([{ field: 'consentInstrument', message: `"${id}" is not a loaded consent form` }])
    }
    expect((await findStudy(deps.db, study.id))!.consentInstrument).toBe('consent')

    const ok = await patch({ consentInstrument: 'consent', minCellSize: 6 })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ consentInstrument: 'consent', minCellSize: 6 })
  })
})

/**
 * The study's own forms (issue 17, part 4). The seed study's occupations (psychiatric resident, nurse
 * anaesthetist …) could only go in as "Other", so Table 1 showed "Other 3". A researcher now adds them
 * to the demographics form's role list, as a study-specific version of the form; participants see them
 * in their language, Table 1 counts them by their labels, and the "Other" texts are tabulated for
 * researchers only.
 */
import { describe, expect, it } from 'vitest'
import { cohortTable1 } from '../../../server/domain/outcomes/table1'
import { previewRelease } from '../../../server/domain/outcomes/release'
import { addParticipants, createCohort, createStudy } from '../../../server/domain/staff/setup'
import { findStudy } from '../../../server/db/repositories/studies'
import { compareVersions, loadInstruments, shippedInstrumentsFolder } from '../../../server/domain/instruments/registry'
import { instrumentOfResponse } from '../../../server/domain/participation/forms'
import { choiceValueFromLabel } from '../../../server/domain/instruments/study-forms'
import { exportFiles } from '../../../server/domain/outcomes/exports'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

const resident = { en: 'Psychiatric resident', fa: 'دستیار روان‌پزشکی' }

async function fixture(participants = 1) {
  const built = await testApp()
  const { deps, app } = built
  const study = await createStudy(deps, { name: 'Seed study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
  const people = participants > 0 ? await addParticipants(deps, { cohortId: cohort.id, count: participants }, 'test') : []
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const lead = await signedInStaff(deps, [{ studyId: study.id, role: 'program_lead' }])
  const as = (who: { headers: Record<string, string> }) => (method: string, path: string, body?: unknown) =>
    app.request(path, { ...jsonRequest(method, body), headers: { ...who.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } })
  return { ...built, study, cohort, people, researcher: as(researcher), lead: as(lead) }
}

/** A participant consents and completes the demographics form with these answers at their link. */
async function answerDemographics(app: Awaited<ReturnType<typeof testApp>>['app'], token: string, answers: Record<string, unknown>) {
  const consent = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
  expect(consent.status).toBe(200)
  const state = await (await app.request(`/api/p/${token}`)).json()
  const form = state.enrolment[0].instrument
  const done = await app.request(`/api/p/${token}/forms/enrolment/${form.id}/complete`, jsonRequest('POST', { clientId: `submit-${token.slice(0, 12)}`, answers }))
  return { status: done.status, body: await done.json(), form }
}

async function expectError(res: Response, status: number, code: string) {
  const body = await res.json()
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code })
  expect(Object.keys(body)).toEqual(['error'])
  return body.error as { code: string; message: string; details?: any }
}

describe('adding a choice to the study\'s demographics form', () => {
  it('makes a study-specific version that participants see in English and Persian, and Table 1 counts it by its label instead of "Other"', async () => {
    const f = await fixture(3)
    const before = await (await f.researcher('GET', `/api/studies/${f.study.id}/demographics-form`)).json()
    expect(before.demographics).toMatchObject({ id: 'demographics', version: '1.0.0', languages: ['en', 'fa'] })
    expect(before.available.map((a: { id: string }) => a.id)).toEqual(['demographics'])
    expect(before.questions.map((q: { name: string }) => q.name)).toEqual(['sex', 'marital_status', 'role', 'workplace'])

    // P1 answers the shipped form before the choice exists: "Other", with the occupation written in.
    const p1 = await answerDemographics(f.app, f.people[0]!.token, { role: 'other', 'role-Comment': 'Psychiatric resident' })
    expect(p1.status).toBe(200)
    expect(p1.form.version).toBe('1.0.0')

    const res = await f.researcher('POST', `/api/studies/${f.study.id}/demographics-form/questions/role/choices`, { labels: resident })
    expect(res.status).toBe(201)
    const added = await res.json()
    expect(added.version).toMatch(/^1\.0\.0\+study\.[0-9a-f]{12}\.1$/)
    expect(added.demographics.version).toBe(added.version)
    expect(added.questions.find((q: { name: string }) => q.name === 'role').choices.at(-1)).toEqual({ value: 'psychiatric_resident', labels: resident, added: true })

    // P2 gets the study's version: the new choice with its English and Persian labels.
    const p2 = await answerDemographics(f.app, f.people[1]!.token, { role: 'psychiatric_resident', age: 29 })
    expect(p2.form.version).toBe(added.version)
    const role = p2.form.survey.pages[0].elements.find((e: { name: string }) => e.name === 'role')
    expect(role.choices.at(-1)).toEqual({ value: 'psychiatric_resident', text: { default: 'Psychiatric resident', fa: 'دستیار روان‌پزشکی' } })
    expect(role.showOtherItem).toBe(true)
    expect(p2.status).toBe(200)
    expect(p2.body).toMatchObject({ status: 'complete', version: added.version })

    // P1's answers keep pointing at the version they answered; P1's "Other" stays "Other".
    const table = await cohortTable1(f.deps, f.cohort.id)
    const roles = table.categorical.find((c) => c.variable === 'role')!
    expect(roles.levels.map((l) => [l.label, l.n])).toEqual([
      ['Physician', 0], ['Resident', 0], ['Medical student', 0], ['Nurse', 0], ['Anaesthesia technician', 0], ['Psychologist', 0],
      ['Psychiatric resident', 1],
      ['Other', 1],
    ])
    // Every label also in the form's other languages, for the Persian staff app and releases.
    expect(roles.labels).toEqual({ en: 'Your role', fa: 'نقش شما' })
    expect(roles.levels.find((l) => l.value === 'psychiatric_resident')!.labels).toEqual(resident)
    expect(roles.levels.find((l) => l.value === 'nurse')!.labels).toEqual({ en: 'Nurse', fa: 'پرستار' })
    expect(table.continuous.find((c) => c.variable === 'age')!.labels).toEqual({ en: 'Age (years)', fa: 'سن (سال)' })
    const md = await (await f.researcher('GET', `/api/cohorts/${f.cohort.id}/table1?format=md`)).text()
    expect(md).toContain('| Psychiatric resident | 1 (50.0%) |')

    // A second app server (PostgreSQL runs two) has never seen the study's version: it reads it from the database.
    const otherServer = { ...f.deps, instruments: loadInstruments([shippedInstrumentsFolder]) }
    expect(otherServer.instruments.get('demographics', added.version)).toBeUndefined()
    const stored = await f.db.selectFrom('response').select(['instrument_id as instrumentId', 'instrument_version as instrumentVersion']).where('instrument_version', '=', added.version).executeTakeFirstOrThrow()
    expect((await instrumentOfResponse(otherServer, f.db, stored)).questions.find((q) => q.name === 'role')).toMatchObject({ choices: expect.arrayContaining(['psychiatric_resident']) })
    expect((await cohortTable1(otherServer, f.cohort.id)).categorical.find((c) => c.variable === 'role')!.levels.find((l) => l.value === 'psychiatric_resident')).toMatchObject({ n: 1 })

    // A value not among the shipped form's choices is still refused on the shipped version.
    const stale = await f.app.request(`/api/p/${f.people[2]!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    expect(stale.status).toBe(200)
    const bad = await f.app.request(`/api/p/${f.people[2]!.token}/forms/enrolment/demographics/answers`, jsonRequest('PUT', { deviceId: 'device-test-0003', answers: [{ question: 'role', value: 'surgeon', answeredAt: '2026-03-02T08:59:00.000Z' }] }))
    expect((await expectError(bad, 422, 'validation_failed')).details[0].field).toBe('answers.role')
  })

  it('imports a paper form that chose an added choice, on the study\'s version, and refuses a value the study never added', async () => {
    const f = await fixture(0)
    const res = await f.researcher('POST', `/api/studies/${f.study.id}/demographics-form/questions/role/choices`, { labels: resident })
    expect(res.status).toBe(201)
    const { version } = await res.json()
    const csv = ['participant,wave,instrument,item,value', 'P1,enrolment,demographics,role,psychiatric_resident', 'P1,enrolment,demographics,age,31'].join('\n')
    const summary = await importCohortCsv(f.deps, { cohortId: f.cohort.id, csv }, 'test')
    expect(summary).toMatchObject({ responses: 1 })
    const stored = await f.db.selectFrom('response').select(['instrument_version', 'answers']).where('instrument_id', '=', 'demographics').executeTakeFirstOrThrow()
    expect(stored.instrument_version).toBe(version)
    expect(JSON.parse(stored.answers)).toMatchObject({ role: 'psychiatric_resident', age: 31 })
    const roles = (await cohortTable1(f.deps, f.cohort.id)).categorical.find((c) => c.variable === 'role')!
    expect(roles.levels.find((l) => l.value === 'psychiatric_resident')).toMatchObject({ label: 'Psychiatric resident', n: 1 })

    const unknown = importCohortCsv(f.deps, { cohortId: f.cohort.id, csv: ['participant,wave,instrument,item,value', 'P2,enrolment,demographics,role,surgeon'].join('\n') }, 'test')
    await expect(unknown).rejects.toMatchObject({ code: 'validation_failed' })
  })

  it('keeps the added choices in the exports: dictionary, value labels and wide.csv', async () => {
    const f = await fixture(1)
    await f.researcher('POST', `/api/studies/${f.study.id}/demographics-form/questions/role/choices`, { labels: { en: 'Nurse anaesthetist', fa: 'پرستار بیهوشی' } })
    expect((await answerDemographics(f.app, f.people[0]!.token, { role: 'nurse_anaesthetist' })).status).toBe(200)
    const files = await exportFiles(f.deps, f.cohort.id)
    const read = async (name: string) => {
      let text = ''
      for await (const chunk of files.find((x) => x.name === name)!.generate()) text += chunk
      return text
    }
    const dictionary = await read('dictionary.csv')
    const roleRow = dictionary.split('\n').find((l) => l.startsWith('role,'))!
    expect(roleRow).toMatch(/1\.0\.0\+study\.[0-9a-f]{12}\.1/)
    expect(await read('value_labels.csv')).toContain('\nrole,wide.csv,nurse_anaesthetist,Nurse anaesthetist\n')
    expect(await read('wide.csv')).toContain('nurse_anaesthetist')
    expect(await read('analysis.R')).toContain('Nurse anaesthetist')
  })

  it('refuses a value or label that repeats an existing choice, a missing Persian label and a question that is not a choice list, writing nothing', async () => {
    const f = await fixture(0)
    const url = (q: string) => `/api/studies/${f.study.id}/demographics-form/questions/${q}/choices`
    const exists = await expectError(await f.researcher('POST', url('role'), { value: 'nurse', labels: { en: 'Registered nurse', fa: 'پرستار رسمی' } }), 409, 'conflict')
    expect(exists.details).toEqual({ reason: 'choice_exists', field: 'value', value: 'nurse' })
    expect(exists.message).toMatch(/cannot be changed or removed/)
    const label = await expectError(await f.researcher('POST', url('role'), { value: 'nurse_2', labels: { en: ' NURSE ', fa: 'پرستار ارشد' } }), 409, 'conflict')
    expect(label.details).toEqual({ reason: 'choice_exists', field: 'labels.en', value: 'nurse' })
    const persianLabel = await expectError(await f.researcher('POST', url('role'), { labels: { en: 'Staff nurse', fa: 'پرستار' } }), 409, 'conflict')
    expect(persianLabel.details).toEqual({ reason: 'choice_exists', field: 'labels.fa', value: 'nurse' })
    const other = await expectError(await f.researcher('POST', url('role'), { value: 'other', labels: { en: 'Something else', fa: 'چیز دیگر' } }), 409, 'conflict')
    expect(other.details.value).toBe('other')
    const persian = await expectError(await f.researcher('POST', url('role'), { labels: { en: 'General physician' } }), 422, 'validation_failed')
    expect(persian.details).toEqual([{ field: 'labels.fa', message: 'a label in this language is needed: the form is shown in en and fa' }])
    const foreign = await expectError(await f.researcher('POST', url('role'), { labels: { en: 'General physician', fa: 'پزشک عمومی', de: 'Allgemeinarzt' } }), 422, 'validation_failed')
    expect(foreign.details[0].field).toBe('labels.de')
    await expectError(await f.researcher('POST', url('age'), { labels: resident }), 404, 'not_found')
    await expectError(await f.researcher('POST', url('no_such'), { labels: resident }), 404, 'not_found')
    await expectError(await f.researcher('POST', url('role'), { value: 'Bad Value', labels: resident }), 422, 'validation_failed')
    expect(await f.db.selectFrom('study_form').selectAll().execute()).toEqual([])

    // A second choice makes a second version holding both; the first version is kept as it was.
    const one = await (await f.researcher('POST', url('role'), { labels: resident })).json()
    const two = await (await f.researcher('POST', url('role'), { labels: { en: 'General physician', fa: 'پزشک عمومی' } })).json()
    expect(compareVersions(one.version, two.version)).toBeLessThan(0)
    const rows = await f.db.selectFrom('study_form').select(['version', 'seq', 'additions']).orderBy('seq').execute()
    expect(rows.map((r) => [r.version, Number(r.seq), JSON.parse(r.additions).map((a: { value: string }) => a.value)])).toEqual([
      [one.version, 1, ['psychiatric_resident']],
      [two.version, 2, ['psychiatric_resident', 'general_physician']],
    ])
    const again = await expectError(await f.researcher('POST', url('role'), { labels: resident }), 409, 'conflict')
    expect(again.details.value).toBe('psychiatric_resident')
  })

  it('keeps every choice when two researchers add at once: one version each, the later holding both', async () => {
    const f = await fixture(0)
    const url = `/api/studies/${f.study.id}/demographics-form/questions/role/choices`
    const [a, b, same] = await Promise.all([
      f.researcher('POST', url, { labels: resident }),
      f.researcher('POST', url, { labels: { en: 'General physician', fa: 'پزشک عمومی' } }),
      f.researcher('POST', url, { labels: resident }),
    ])
    expect([a.status, b.status, same.status].sort()).toEqual([201, 201, 409])
    const rows = await f.db.selectFrom('study_form').select(['seq', 'additions']).orderBy('seq').execute()
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2])
    expect(JSON.parse(rows[1]!.additions).map((x: { value: string }) => x.value).sort()).toEqual(['general_physician', 'psychiatric_resident'])
  })

  it('lets a study choose only a loaded demographics form, and not once answers exist', async () => {
    const f = await fixture(1)
    const url = `/api/studies/${f.study.id}/demographics-form`
    for (const id of ['phq-9', 'consent', 'no-such-form']) {
      const error = await expectError(await f.researcher('PUT', url, { instrumentId: id }), 422, 'validation_failed')
      expect(error.details).toEqual([{ field: 'instrumentId', message: `"${id}" is not a loaded demographics form` }])
    }
    expect((await f.researcher('PUT', url, { instrumentId: 'demographics' })).status).toBe(200)
    await answerDemographics(f.app, f.people[0]!.token, { age: 40 })
    expect((await findStudy(f.db, f.study.id))!.demographicsInstrument).toBe('demographics')
    const view = await (await f.researcher('GET', url)).json()
    expect(view.locked).toEqual({ responses: 1 })
  })
})

describe('"Other" answers', () => {
  it('are tabulated for researchers, text by text, and never reach program leads or a released snapshot', async () => {
    const f = await fixture(16)
    const others = ['Nurse anaesthetist', '  nurse   anaesthetist ', 'General physician', 'Midwife from Bam']
    expect((await f.researcher('POST', `/api/studies/${f.study.id}/demographics-form/questions/role/choices`, { labels: resident })).status).toBe(201)
    for (const [i, p] of f.people.entries()) {
      const answers = i < others.length ? { role: 'other', 'role-Comment': others[i], age: 30 + i } : { role: i < 12 ? 'psychiatric_resident' : 'nurse', age: 30 + i }
      expect((await answerDemographics(f.app, p.token, answers)).status).toBe(200)
    }
    const res = await f.researcher('GET', `/api/cohorts/${f.cohort.id}/table1/other-answers`)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.questions.find((q: { variable: string }) => q.variable === 'role')).toEqual({
      variable: 'role',
      label: 'Your role',
      other: 4,
      answers: [
        { text: 'Nurse anaesthetist', n: 2 },
        { text: 'General physician', n: 1 },
        { text: 'Midwife from Bam', n: 1 },
      ],
    })

    await expectError(await f.lead('GET', `/api/cohorts/${f.cohort.id}/table1/other-answers`), 403, 'forbidden')
    // A released snapshot carries Table 1's counts, never the texts.
    const release = await previewRelease(f.deps, f.cohort.id)
    // The study's own choice goes through the same disclosure control: 8 rounded to 10, the 4 "Other" withheld.
    const roles = release.content.table1.categorical.find((c) => c.variable === 'role')!
    expect(roles.levels.filter((l) => ['psychiatric_resident', 'other'].includes(l.value)).map((l) => [l.label, l.n])).toEqual([['Psychiatric resident', 10], ['Other', null]])
    const json = JSON.stringify(release)
    for (const text of ['anaesthetist', 'Midwife', 'General physician']) expect(json).not.toContain(text)
  })
})

describe('choiceValueFromLabel', () => {
  it('makes a value from an English label', () => {
    expect(choiceValueFromLabel('Psychiatric resident')).toBe('psychiatric_resident')
    expect(choiceValueFromLabel('  Nurse-anaesthetist (ICU) ')).toBe('nurse_anaesthetist_icu')
    expect(choiceValueFromLabel('Médecin généraliste')).toBe('medecin_generaliste')
    expect(choiceValueFromLabel('۱۲۳')).toBe('')
  })
})

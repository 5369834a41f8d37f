/**
 * Found in an adversary review of 3594b3c (a release's Markdown, the file a program lead downloads): a label
 * written by the study team "cannot break a table" (`cell` escapes | and turns line breaks into
 * spaces), but the names the file starts with do not go through it: the cohort's name (and, in a
 * study-wide release, the study's and every cohort's) and the releasing researcher's. A name pasted
 * with a line break (a spreadsheet cell, a two-line group name) ends the heading there and puts the
 * rest of the name in the document as Markdown of its own: a careless name breaks the file, and a
 * name made of table rows adds figures the release does not hold, read by the program lead as the
 * release's own.
 */
import { describe, expect, it } from 'vitest'
import { readRelease, releaseCohort } from '../../server/domain/outcomes/release'
import { releaseMarkdown } from '../../server/domain/outcomes/release-format'
import { cohortReport } from '../../server/domain/outcomes/report'
import { reportMarkdown } from '../../server/domain/outcomes/report-format'
import { cohortTable1, table1Markdown } from '../../server/domain/outcomes/table1'
import { createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

describe("a release's Markdown and the names it starts with", () => {
  it('keeps a cohort name with line breaks in its heading, adding no lines of its own', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Names', timeZone: 'UTC' }, 'test')
    // The staff app and POST /api/cohorts take any name of 1 to 200 characters (trimmed), line breaks included.
    const plain = await createCohort(deps, { studyId: study.id, name: 'Tuesday group' }, 'test')
    const pasted = await createCohort(deps, { studyId: study.id, name: 'Tuesday group\n\n## Participants\n\n| | n |\n| --- | --- |\n| enrolled | 250 |' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }

    const markdownOf = async (cohortId: string) => releaseMarkdown(await readRelease(deps, (await releaseCohort(deps, cohortId, by)).id))
    const reference = (await markdownOf(plain.id)).split('\n')
    const lines = (await markdownOf(pasted.id)).split('\n')

    // The heading is one line, and the file has the same lines as a release of a plainly named cohort.
    expect(lines[0]!.startsWith('# Tuesday group')).toBe(true)
    expect(lines[0]).toContain('released report')
    expect(lines.length).toBe(reference.length)
    // The only funnel row "enrolled" is the release's own (0 enrolled here, shown as a dash).
    expect(lines.filter((l) => l.startsWith('| enrolled'))).toEqual(['| enrolled | – |'])
  })

  it("keeps such a name on its heading's line in the researcher's Table 1 and report files too", async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Names\nand more', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Tuesday\r\n## group |' }, 'test')
    const table1 = table1Markdown(await cohortTable1(deps, cohort.id))
    expect(table1.split('\n')[0]).toBe('# Table 1. Participants of Tuesday ## group | (n = 0)')
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: '2026-05-01', closes: '2026-05-14', instruments: ['phq-9'] }, 'test')
    const report = reportMarkdown(await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' }))
    expect(report.split('\n')[0]).toBe('# Names and more: Tuesday ## group |, pre → post')
  })
})

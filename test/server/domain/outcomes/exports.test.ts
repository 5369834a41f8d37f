/**
 * The researcher exports, read through the domain: each file's content for a small imported cohort
 * (values worked out by hand in test/helpers/export-cohort.ts), the variable naming rules, the data
 * dictionary, and a round trip through the import.
 */
import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import {
  exportFiles,
  exportSlug,
  itemVariable,
  rComment,
  rString,
  scaleVariable,
  scoringRule,
  uniqueVariableNames,
} from '../../../../server/domain/outcomes/exports'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { checkInstrument, InstrumentRegistry } from '../../../../server/domain/instruments/registry'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { shippedInstruments, testDeps } from '../../../helpers/app'
import { itemLines, labelledCohort, labelledDemographics, persianOther, readExports, smallCohort } from '../../../helpers/export-cohort'

type Row = Record<string, string>
const rowsOf = (csv: string): Row[] => parse(csv, { columns: true }) as Row[]
const headerOf = (csv: string): string[] => csv.slice(0, csv.indexOf('\n')).split(',')

const validName = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/** The [value, label] pairs of one variable of wide.csv in value_labels.csv, as a CSV reader reads them. */
const valueLabelsOf = (csv: string, variable: string): string[][] =>
  rowsOf(csv)
    .filter((r) => r.file === 'wide.csv' && r.variable === variable)
    .map((r) => [r.value!, r.label!])

async function exportedSmallCohort() {
  const deps = await testDeps()
  const fixture = await smallCohort(deps)
  const files = await readExports(await exportFiles(deps, fixture.cohort.id))
  return { deps, ...fixture, files }
}

const phqItems = (wave: string) => [...Array.from({ length: 9 }, (_, i) => `${wave}_phq9_${i + 1}`), `${wave}_phq9_difficulty`, `${wave}_phq9_total`]
const whoItems = (wave: string) => [...Array.from({ length: 5 }, (_, i) => `${wave}_who5_${i + 1}`), `${wave}_who5_raw`, `${wave}_who5_percentage`]
const demographics = ['age', 'sex', 'sex_other', 'marital_status', 'role', 'role_other', 'years_in_practice', 'workplace', 'workplace_other', 'sleep_hours']

describe('answers_long.csv', () => {
  it('has one line per answer in the import format, completed forms only, codes in natural order', async () => {
    const { files } = await exportedSmallCohort()
    const lines = files['answers_long.csv'].trimEnd().split('\n')
    expect(lines[0]).toBe('participant,wave,instrument,item,value')
    // P1: 4 demographics + 8 PHQ-9 (item 8 unanswered) + 5 WHO-5 + 9 + 5 = 31 lines.
    expect(lines.filter((l) => l.startsWith('P1,'))).toEqual([
      'P1,enrolment,demographics,age,34',
      'P1,enrolment,demographics,sex,female',
      'P1,enrolment,demographics,role,nurse',
      'P1,enrolment,demographics,years_in_practice,2.5',
      ...['2', '1', '1', '1', '1', '1', '1'].map((v, i) => `P1,pre,phq-9,phq9_${i + 1},${v}`),
      'P1,pre,phq-9,phq9_9,0',
      ...[1, 2, 3, 4, 5].map((i) => `P1,pre,who-5,who5_${i},3`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `P1,post,phq-9,phq9_${i},0`),
      ...[1, 2, 3, 4, 5].map((i) => `P1,post,who-5,who5_${i},4`),
    ])
    // The "other" text follows its question, quoted as CSV quotes it.
    expect(lines).toContain('P2,enrolment,demographics,sex-Comment,"says ""they"", not he"')
    // P3 withdrew keeping the answers; P4 withdrew deleting them; P11 never answered.
    const codes = [...new Set(lines.slice(1).map((l) => l.split(',')[0]))]
    expect(codes).toEqual(['P1', 'P2', 'P3', 'P10'])
    expect(lines).toHaveLength(1 + 31 + 30 + 9 + 9)
  })

  it('imports into another cohort and gives the same scale scores', async () => {
    const { deps, study, files } = await exportedSmallCohort()
    const copy = await createCohort(deps, { studyId: study.id, name: 'Re-imported' }, 'test')
    const summary = await importCohortCsv(deps, { cohortId: copy.id, csv: files['answers_long.csv'] }, 'test')
    expect(summary).toMatchObject({ participants: { created: 4, existing: 0 }, responses: 12, emptyForms: 0 })

    const again = await readExports(await exportFiles(deps, copy.id))
    expect(again['scores_long.csv']).toBe(files['scores_long.csv'])
    expect(again['answers_long.csv']).toBe(files['answers_long.csv'])
  })
})

describe('scores_long.csv', () => {
  it('has every stored score with its version, band and whether it was prorated', async () => {
    const { files } = await exportedSmallCohort()
    // Imported: completed_at is when the import ran (the test clock), and in_wave is not known.
    const imported = ',2026-03-02T09:00:00.000Z,import,'
    expect(files['scores_long.csv']).toBe(
      [
        'participant,wave,instrument,version,scale,score,band,prorated,completed_at,source,in_wave',
        'P1,pre,phq-9,1.0.0,total,9,Mild,1' + imported,
        'P1,pre,who-5,1.0.0,raw,15,No indication of poor well-being,0' + imported,
        'P1,pre,who-5,1.0.0,percentage,60,No indication of poor well-being,0' + imported,
        'P1,post,phq-9,1.0.0,total,0,None–minimal,0' + imported,
        'P1,post,who-5,1.0.0,raw,20,No indication of poor well-being,0' + imported,
        'P1,post,who-5,1.0.0,percentage,80,No indication of poor well-being,0' + imported,
        'P2,pre,phq-9,1.0.0,total,27,Severe,0' + imported,
        'P2,pre,who-5,1.0.0,raw,5,Poor well-being — consider screening for depression,0' + imported,
        'P2,pre,who-5,1.0.0,percentage,20,Poor well-being — consider screening for depression,0' + imported,
        'P2,post,phq-9,1.0.0,total,8,Mild,0' + imported,
        'P2,post,who-5,1.0.0,raw,10,Poor well-being — consider screening for depression,0' + imported,
        'P2,post,who-5,1.0.0,percentage,40,Poor well-being — consider screening for depression,0' + imported,
        'P3,pre,phq-9,1.0.0,total,9,Mild,0' + imported,
        'P10,pre,phq-9,1.0.0,total,0,None–minimal,0' + imported,
        '',
      ].join('\n'),
    )
  })

  it('writes a score not computed (too few items) as empty', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C' }, 'test')
    // 6 of 9 PHQ-9 items: fewer than the 7 needed, so no total.
    const csv = ['participant,wave,instrument,item,value', ...itemLines('P1', 'pre', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, null, null, null])].join('\n')
    await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
    const files = await readExports(await exportFiles(deps, cohort.id))
    expect(files['scores_long.csv'].split('\n')[1]).toMatch(/^P1,pre,phq-9,1\.0\.0,total,,,0,[^,]+,import,$/)
    expect(rowsOf(files['wide.csv'])[0]!.pre_phq9_total).toBe('')
  })
})

describe('wide.csv', () => {
  it('has one row per participant: status, attendance, demographics, then each wave’s items and scores', async () => {
    const { files } = await exportedSmallCohort()
    expect(headerOf(files['wide.csv'])).toEqual([
      'participant',
      'status',
      'sessions_attended',
      ...demographics,
      ...phqItems('pre'),
      ...whoItems('pre'),
      ...phqItems('post'),
      ...whoItems('post'),
    ])
    const rows = rowsOf(files['wide.csv'])
    expect(rows.map((r) => [r.participant, r.status, r.sessions_attended])).toEqual([
      ['P1', 'active', '2'],
      ['P2', 'active', '1'],
      ['P3', 'withdrawn', '0'],
      ['P4', 'withdrawn', '0'],
      ['P10', 'active', '0'],
      ['P11', 'invited', '0'],
    ])
    const [p1, p2, p3, p4, , p11] = rows
    expect(p1).toMatchObject({ age: '34', sex: 'female', sex_other: '', role: 'nurse', years_in_practice: '2.5', pre_phq9_1: '2', pre_phq9_8: '', pre_phq9_9: '0' })
    expect(p1).toMatchObject({ pre_phq9_total: '9', pre_who5_raw: '15', pre_who5_percentage: '60', post_phq9_total: '0', post_who5_raw: '20', post_who5_percentage: '80' })
    expect(p2).toMatchObject({ sex: 'other', sex_other: 'says "they", not he', pre_phq9_total: '27', post_phq9_total: '8', post_phq9_9: '0', post_who5_percentage: '40' })
    expect(p3).toMatchObject({ pre_phq9_total: '9', post_phq9_total: '' })
    // Withdrawn with deletion, and never answered: a row with the code and nothing else.
    for (const row of [p4!, p11!]) expect(Object.entries(row).filter(([k, v]) => v !== '' && !['participant', 'status', 'sessions_attended'].includes(k))).toEqual([])
  })

  it('holds codes only: no participant id, token hash, cohort id or e-mail', async () => {
    const { deps, files, participants } = await exportedSmallCohort()
    const hashes = (await deps.db.selectFrom('participant_link').select('token_hash').execute()).map((r) => r.token_hash)
    const all = Object.values(files).join('\n')
    for (const secret of [...participants.map((p) => p.id), ...hashes]) expect(all).not.toContain(secret)
    expect(all).not.toMatch(/@/)
  })

  it('names variables validly and uniquely: checkboxes, dashes, collisions and long names', async () => {
    const long = 'nights_in_the_last_four_weeks_with_fewer_than_six_hours_of_sleep'
    const custom = checkInstrument(
      {
        id: 'sleep-check',
        version: '1.0.0',
        kind: 'questionnaire',
        title: 'Sleep check',
        citation: 'Written for this test.',
        licence: { name: 'Test', itemTextMayBeReproduced: true, source: 'Test' },
        survey: {
          pages: [
            {
              name: 'sleep',
              elements: [
                { type: 'text', inputType: 'number', name: 'sleepcheck_total', title: 'Hours slept in all', min: 0, max: 100 },
                { type: 'radiogroup', name: 'rested', title: 'Rested?', choices: [{ value: 0, text: 'Never' }, { value: 1, text: 'Sometimes' }, { value: 2, text: 'Often' }] },
                { type: 'checkbox', name: 'aids', title: 'Sleep aids', choices: [{ value: 'melatonin', text: 'Melatonin' }, { value: 'pills', text: 'Sleeping pills' }], showNoneItem: true },
                { type: 'text', inputType: 'number', name: 'wake-ups', title: 'Times woken', min: 0, max: 20 },
                { type: 'boolean', name: 'napped', title: 'Napped?' },
                { type: 'text', inputType: 'number', name: `${long}_weekdays`, title: 'Weekdays', min: 0, max: 28 },
                { type: 'text', inputType: 'number', name: `${long}_weekends`, title: 'Weekends', min: 0, max: 28 },
              ],
            },
          ],
        },
        scoring: {
          scales: [
            { id: 'total', label: 'Rested', items: ['rested'], itemRange: { min: 0, max: 2 }, method: 'sum', range: { min: 0, max: 2 }, minAnswered: 1, prorate: false, missingRule: 'One item.', direction: 'higher-is-better' },
          ],
        },
      },
      'test/sleep-check.json',
    )
    if (!custom.ok) throw new Error(JSON.stringify(custom.problems))
    const base = await testDeps()
    const deps = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), custom.instrument]) }
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C' }, 'test')
    const lines = (wave: string) => [
      `P1,${wave},sleep-check,sleepcheck_total,7`,
      `P1,${wave},sleep-check,rested,2`,
      `P1,${wave},sleep-check,aids,melatonin;pills`,
      `P1,${wave},sleep-check,wake-ups,3`,
      `P1,${wave},sleep-check,napped,true`,
      `P1,${wave},sleep-check,${long}_weekdays,4`,
      `P1,${wave},sleep-check,${long}_weekends,5`,
    ]
    await importCohortCsv(deps, { cohortId: cohort.id, csv: ['participant,wave,instrument,item,value', ...lines('pre'), ...lines('follow-up')].join('\n') }, 'test')
    const files = await readExports(await exportFiles(deps, cohort.id))

    // The item sleepcheck_total takes pre_sleepcheck_total first; the scale "total" comes after it and gets _2.
    // pre_sleepcheck_ + the long names runs past 64 characters: both are cut to the same 64, the second gets _2.
    const longName = `pre_sleepcheck_${long}`.slice(0, 64)
    expect(longName).toBe('pre_sleepcheck_nights_in_the_last_four_weeks_with_fewer_than_six')
    const pre = ['pre_sleepcheck_total', 'pre_sleepcheck_rested', 'pre_sleepcheck_aids', 'pre_sleepcheck_wake_ups', 'pre_sleepcheck_napped', longName, `${longName.slice(0, 62)}_2`, 'pre_sleepcheck_total_2']
    const header = headerOf(files['wide.csv'])
    expect(header.slice(3 + demographics.length, 3 + demographics.length + pre.length)).toEqual(pre)
    expect(header).toContain('followup_sleepcheck_wake_ups')
    expect(header).toContain('followup_sleepcheck_total_2')
    for (const name of header) expect(name).toMatch(validName)
    expect(new Set(header.map((h) => h.toLowerCase())).size).toBe(header.length)

    const [row] = rowsOf(files['wide.csv'])
    expect(row).toMatchObject({ pre_sleepcheck_total: '7', pre_sleepcheck_rested: '2', pre_sleepcheck_aids: 'melatonin;pills', pre_sleepcheck_napped: 'TRUE', pre_sleepcheck_total_2: '2' })
    expect(files['answers_long.csv']).toContain('P1,pre,sleep-check,aids,melatonin;pills\n')

    const dictionary = new Map(rowsOf(files['dictionary.csv']).filter((r) => r.file === 'wide.csv').map((r) => [r.variable, r]))
    expect(dictionary.get('pre_sleepcheck_aids')).toMatchObject({ type: 'multiple' })
    expect(dictionary.get('pre_sleepcheck_napped')).toMatchObject({ type: 'logical' })
    expect(dictionary.get('pre_sleepcheck_rested')).toMatchObject({ type: 'numeric', scoring_rule: 'Item of total' })
    expect(valueLabelsOf(files['value_labels.csv'], 'pre_sleepcheck_aids')).toEqual([['melatonin', 'Melatonin'], ['pills', 'Sleeping pills'], ['none', 'None']])
    expect(valueLabelsOf(files['value_labels.csv'], 'pre_sleepcheck_napped')).toEqual([['TRUE', 'Yes'], ['FALSE', 'No']])
    expect(valueLabelsOf(files['value_labels.csv'], 'pre_sleepcheck_rested')).toEqual([['0', 'Never'], ['1', 'Sometimes'], ['2', 'Often']])
    expect(dictionary.get('pre_sleepcheck_total_2')).toMatchObject({ label: 'pre: Rested (sleep-check)', instrument: 'sleep-check', version: '1.0.0' })
    // The follow-up wave has no post to pair with; the R script pairs pre with post only.
    expect(files['analysis.R']).toContain('  scale = character(0),\n')
  })
})

describe('variable names', () => {
  it('follow the naming rules', () => {
    expect(itemVariable('pre', 'phq-9', 'phq9_1')).toBe('pre_phq9_1')
    expect(itemVariable('follow-up', 'who-5', 'who5_3')).toBe('followup_who5_3')
    expect(itemVariable('post', 'cbi', 'cbi_w7')).toBe('post_cbi_w7')
    expect(itemVariable('pre', 'recovery-check', 'sleep_hours')).toBe('pre_recoverycheck_sleep_hours')
    expect(itemVariable('pre', 'x-y', 'a.b-c')).toBe('pre_xy_a_b_c')
    expect(itemVariable('enrolment', 'demographics', 'age')).toBe('age')
    // Words R or SPSS refuse, and names not starting with a letter, take the form's id.
    expect(itemVariable('enrolment', 'demographics', 'if')).toBe('demographics_if')
    expect(itemVariable('enrolment', 'demographics', 'BY')).toBe('demographics_BY')
    expect(itemVariable('enrolment', 'demographics', '2nd_job')).toBe('demographics_2nd_job')
    expect(scaleVariable('pre', 'phq-9', 'total')).toBe('pre_phq9_total')
    expect(scaleVariable('pre', 'who-5', 'raw')).toBe('pre_who5_raw')
    expect(scaleVariable('follow-up', 'cbi', 'personal')).toBe('followup_cbi_personal')
    expect(itemVariable('pre', 'x', `x_${'a'.repeat(80)}`)).toHaveLength(64)
  })

  it('are made unique in order, ignoring case as SPSS does, within 64 characters', () => {
    expect(uniqueVariableNames(['a', 'A', 'a', 'a_2', 'b'])).toEqual(['a', 'A_2', 'a_3', 'a_2_2', 'b'])
    const x = 'x'.repeat(64)
    expect(uniqueVariableNames([x, x])).toEqual([x, `${'x'.repeat(62)}_2`])
  })
})

describe('dictionary.csv', () => {
  it('describes every column of wide.csv, in order, and the columns of the long files', async () => {
    const { files } = await exportedSmallCohort()
    expect(headerOf(files['dictionary.csv'])).toEqual(['variable', 'file', 'label', 'type', 'instrument', 'version', 'scoring_rule'])
    const rows = rowsOf(files['dictionary.csv'])
    expect(rows.filter((r) => r.file === 'wide.csv').map((r) => r.variable)).toEqual(headerOf(files['wide.csv']))
    expect(rows.filter((r) => r.file === 'answers_long.csv').map((r) => r.variable)).toEqual(headerOf(files['answers_long.csv']))
    expect(rows.filter((r) => r.file === 'scores_long.csv').map((r) => r.variable)).toEqual(headerOf(files['scores_long.csv']))

    const byVariable = new Map(rows.filter((r) => r.file === 'wide.csv').map((r) => [r.variable, r]))
    expect(byVariable.get('pre_phq9_1')).toEqual({
      variable: 'pre_phq9_1',
      file: 'wide.csv',
      label: 'pre: Little interest or pleasure in doing things',
      type: 'numeric',
      instrument: 'phq-9',
      version: '1.0.0',
      scoring_rule: 'Item of total',
    })
    expect(byVariable.get('sex')).toMatchObject({ type: 'categorical', instrument: 'demographics' })
    expect(byVariable.get('sex_other')).toMatchObject({ type: 'text', label: 'Sex: Another / prefer to self-describe (free text)' })
    expect(byVariable.get('status')).toMatchObject({ type: 'categorical' })
    const total = byVariable.get('pre_phq9_total')!
    expect(total).toMatchObject({ label: 'pre: PHQ-9 total (phq-9)', type: 'numeric', instrument: 'phq-9', version: '1.0.0' })
    expect(total.scoring_rule).toMatch(/^Sum of 9 items \(phq9_1, phq9_2, .*phq9_9\), each 0–3\. Range 0–27\. /)
    expect(total.scoring_rule).toContain('Scored when at least 7 of 9 items are answered; with items missing the sum is prorated (sum × 9 / answered, not rounded).')
    expect(total.scoring_rule).toContain('Higher is worse.')
    expect(byVariable.get('post_who5_percentage')!.scoring_rule).toContain('Then × 4. Range 0–100.')
    expect(byVariable.get('post_who5_percentage')!.scoring_rule).toContain('Higher is better.')
  })

  it('puts reversed items and the missing-item rule into words', () => {
    const cbi = shippedInstruments().questionnaire('cbi')!
    const work = scoringRule(cbi.scoring.scales.find((s) => s.id === 'work')!)
    expect(work).toMatch(/^Mean of 7 items \(cbi_w1, .*cbi_w7\), each 0–100\. Reversed before scoring: cbi_w7 \(value becomes 100 − value\)\. Range 0–100\. /)
    expect(work).toContain('Scored when at least 4 of 7 items are answered, as the mean of those answered.')
  })
})

describe('value_labels.csv', () => {
  it('has one line per value of every labelled column, of wide.csv and of the long files', async () => {
    const { files } = await exportedSmallCohort()
    expect(headerOf(files['value_labels.csv'])).toEqual(['variable', 'file', 'value', 'label'])
    const labels = files['value_labels.csv']
    expect(valueLabelsOf(labels, 'status')).toEqual([['invited', 'Invited'], ['consented', 'Consented'], ['active', 'Active'], ['withdrawn', 'Withdrawn']])
    expect(valueLabelsOf(labels, 'pre_phq9_1')).toEqual([['0', 'Not at all'], ['1', 'Several days'], ['2', 'More than half the days'], ['3', 'Nearly every day']])
    expect(valueLabelsOf(labels, 'sex')).toEqual([['female', 'Female'], ['male', 'Male'], ['prefer_not_to_say', 'Prefer not to say'], ['other', 'Another / prefer to self-describe']])
    // Every labelled variable is a column of wide.csv; numbers and text questions have none.
    const variables = new Set(rowsOf(labels).filter((r) => r.file === 'wide.csv').map((r) => r.variable))
    for (const v of variables) expect(headerOf(files['wide.csv'])).toContain(v)
    expect(variables.has('age')).toBe(false)
    expect(variables.has('pre_phq9_total')).toBe(false)
    expect(rowsOf(labels).filter((r) => r.file !== 'wide.csv')).toEqual([
      ...[['enrolment', 'Asked once'], ['pre', 'Pre'], ['post', 'Post'], ['follow-up', 'Follow-up']].map(([value, label]) => ({ variable: 'wave', file: 'answers_long.csv', value, label })),
      ...[['pre', 'Pre'], ['post', 'Post'], ['follow-up', 'Follow-up']].map(([value, label]) => ({ variable: 'wave', file: 'scores_long.csv', value, label })),
      { variable: 'prorated', file: 'scores_long.csv', value: '0', label: 'No' },
      { variable: 'prorated', file: 'scores_long.csv', value: '1', label: 'Yes' },
      { variable: 'source', file: 'scores_long.csv', value: 'link', label: "Answered at the participant's link" },
      { variable: 'source', file: 'scores_long.csv', value: 'import', label: 'Imported by the research team' },
      { variable: 'source', file: 'scores_long.csv', value: 'demo', label: 'Demonstration data, not real' },
      { variable: 'in_wave', file: 'scores_long.csv', value: '0', label: "Outside the wave's dates" },
      { variable: 'in_wave', file: 'scores_long.csv', value: '1', label: "Within the wave's dates" },
    ])
  })

  it('writes each value exactly as wide.csv writes it: negative codes unguarded, "=cmd" guarded in both, yes/no as TRUE/FALSE, labels whole', async () => {
    const deps = { ...(await testDeps()), instruments: labelledDemographics() }
    const { study, cohort } = await labelledCohort(deps)
    const files = await readExports(await exportFiles(deps, cohort.id))
    const labels = files['value_labels.csv']
    // Labels holding "; " and "=" are cells of their own: nothing to split.
    expect(valueLabelsOf(labels, 'supported')).toEqual([['-2', 'Strongly disagree'], ['-1', 'Disagree; somewhat'], ['0', 'Neither'], ['1', 'Agree = mostly'], ['2', 'Strongly agree']])
    expect(valueLabelsOf(labels, 'supervises')).toEqual([['TRUE', 'Yes'], ['FALSE', 'No']])
    expect(valueLabelsOf(labels, 'settings')).toEqual([['ward', 'Ward'], ['clinic', 'Clinic']])
    expect(labels).toContain('\nsupported,wide.csv,-2,Strongly disagree\n')
    expect(labels).toContain("\nworkplace,wide.csv,'=cmd,Looks like a formula\n")

    // Every single-choice cell of wide.csv is, as read, one of the values of its variable in value_labels.csv.
    const [p1, p2] = rowsOf(files['wide.csv'])
    expect(p1).toMatchObject({ workplace: "'=cmd", supported: '-2', supervises: 'TRUE', settings: 'ward;clinic', sex_other: persianOther })
    expect(p2).toMatchObject({ workplace: 'intensive_care', supported: '1', supervises: 'FALSE', settings: '' })
    for (const row of [p1!, p2!]) {
      for (const variable of ['workplace', 'supported', 'supervises']) expect(valueLabelsOf(labels, variable).map(([value]) => value)).toContain(row[variable])
    }
    // The dictionary no longer holds "value=label" lists, whose first cell the guard broke ("'-2=…").
    expect(headerOf(files['dictionary.csv'])).not.toContain('value_labels')
    expect(rowsOf(files['dictionary.csv']).find((r) => r.variable === 'supported')).toMatchObject({ type: 'numeric', instrument: 'demographics' })

    // Yes/no goes out as TRUE/FALSE and imports back as it was.
    expect(files['answers_long.csv']).toContain('P1,enrolment,demographics,supervises,TRUE\n')
    const copy = await createCohort(deps, { studyId: study.id, name: 'Copy' }, 'test')
    await importCohortCsv(deps, { cohortId: copy.id, csv: files['answers_long.csv'] }, 'test')
    expect((await readExports(await exportFiles(deps, copy.id)))['answers_long.csv']).toBe(files['answers_long.csv'])
  })
})

describe('analysis.R', () => {
  it('is written for the cohort: header, file name, factors and the scales at both pre and post', async () => {
    const { files } = await exportedSmallCohort()
    const script = files['analysis.R']
    expect(script).toContain('# Study:    Export study\n')
    expect(script).toContain('# Cohort:   Group A — Tehran 2026 (id ')
    expect(script).toContain('# Exported: 2026-03-02T09:00:00.000Z\n')
    expect(script).toContain('wide_file <- if (file.exists("wide.csv")) "wide.csv" else "group-a-tehran-2026_wide.csv"\n')
    expect(script).toContain('wide <- read.csv(text = wide_lines, stringsAsFactors = FALSE, na.strings = c("", "NA"))\n')
    expect(script).toContain(
      'wide$sex <- factor(wide$sex, levels = c("female", "male", "prefer_not_to_say", "other"), labels = c("Female", "Male", "Prefer not to say", "Another / prefer to self-describe"))',
    )
    expect(script).toContain('wide$status <- factor(wide$status, levels = c("invited", "consented", "active", "withdrawn")')
    // Number and text questions are not factors.
    expect(script).not.toContain('wide$age <- factor')
    expect(script).toContain('  scale = c("phq9_total", "who5_raw", "who5_percentage"),\n')
    expect(script).toContain('  pre = c("pre_phq9_total", "pre_who5_raw", "pre_who5_percentage"),\n')
    expect(script).toContain('  post = c("post_phq9_total", "post_who5_raw", "post_who5_percentage"),\n')
    expect(script).toContain('t.test(post, pre, paired = TRUE)')
    expect(script).toContain('wilcox.test(post, pre, paired = TRUE, exact = exact)')
  })

  it('cannot be broken out of by a name: comments lose line breaks, strings are escaped', async () => {
    expect(rComment('Group A\nsystem("rm -rf ~")\r\u2028x')).toBe('Group A system("rm -rf ~")  x')
    expect(rString('say "hi" \\ now\n')).toBe('"say \\"hi\\" \\\\ now\\n"')
    expect(rString('Ñ — 😀')).toBe('"\\u{d1} \\u{2014} \\U{1f600}"')

    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Study\nsystem("echo owned")' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C' }, 'test')
    const files = await readExports(await exportFiles(deps, cohort.id))
    expect(files['analysis.R']).toContain('# Study:    Study system("echo owned")\n')
    expect(files['analysis.R'].split('\n').filter((l) => l.includes('system('))).toHaveLength(1)
  })
})

describe('exportSlug', () => {
  it('makes a file-name prefix of the cohort name', () => {
    expect(exportSlug({ id: 'abc', name: 'Group A — Tehran 2026' })).toBe('group-a-tehran-2026')
    expect(exportSlug({ id: 'abc', name: 'Crème brûlée' })).toBe('creme-brulee')
    expect(exportSlug({ id: 'abc', name: 'گروه الف' })).toBe('cohort-abc')
  })
})

describe('exportFiles', () => {
  it('lists the six files with their media types, and refuses an unknown cohort', async () => {
    const deps = await testDeps()
    const { cohort } = await smallCohort(deps)
    const files = await exportFiles(deps, cohort.id)
    expect(files.map((f) => [f.name, f.contentType])).toEqual([
      ['answers_long.csv', 'text/csv; charset=utf-8'],
      ['scores_long.csv', 'text/csv; charset=utf-8'],
      ['wide.csv', 'text/csv; charset=utf-8'],
      ['dictionary.csv', 'text/csv; charset=utf-8'],
      ['value_labels.csv', 'text/csv; charset=utf-8'],
      ['analysis.R', 'text/plain; charset=utf-8'],
    ])
    await expect(exportFiles(deps, 'nope')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('reads a page of participants at a time: a cohort larger than a page comes out whole and in order', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C', sessions: 0 }, 'test')
    const lines = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 450; p++) lines.push(...itemLines(`P${p}`, 'pre', 'gad-7', 'gad7_', [p % 4, 0, 0, 0, 0, 0, 0]))
    await importCohortCsv(deps, { cohortId: cohort.id, csv: lines.join('\n') }, 'test')
    // Watch every query: the largest result holding answers must be one page, not the cohort.
    let largestAnswerRead = 0
    const watched = {
      ...deps,
      db: deps.db.withPlugin({
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          if (args.result.rows[0] && 'answers' in (args.result.rows[0] as object)) largestAnswerRead = Math.max(largestAnswerRead, args.result.rows.length)
          return args.result
        },
      }),
    }
    const files = await exportFiles(watched, cohort.id)
    const wide = files.find((f) => f.name === 'wide.csv')!
    let chunks = 0
    let text = ''
    for await (const chunk of wide.generate()) {
      chunks++
      text += chunk
    }
    // One chunk for the header and one per participant: never the whole file at once.
    expect(chunks).toBe(451)
    const rows = rowsOf(text)
    expect(rows.map((r) => r.participant)).toEqual(Array.from({ length: 450 }, (_, i) => `P${i + 1}`))
    expect(rows[449]!.pre_gad7_total).toBe(String(450 % 4))
    expect(largestAnswerRead).toBe(200)
  })
})

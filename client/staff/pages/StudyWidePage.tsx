/**
 * The whole study at once (issue 17). Researchers: Table 1 and the outcome report over all cohorts
 * together — the same computation as a cohort's over all their participants, beside the per-cohort
 * ones — and the study-wide releases they make for program leads. Program leads: the released
 * study-wide snapshots only (the live routes refuse them on the server).
 */
import { useMemo, useState } from 'react'
import { api } from '../../lib/api'
import { locale, t } from '../../lib/i18n'
import type { Table1 } from '../../../server/domain/outcomes/table1'
import { ReportBody } from '../cohort/ReportTab'
import { Releases } from '../cohort/ReleasesTab'
import { Table1View } from '../cohort/Table1Tab'
import { call, useResource } from '../request'
import type { CohortReportView, WaveKind } from '../types'
import { defaultWaves, orderedKinds, WavePairSelect } from '../WaveSelect'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'

type StudyReportView = CohortReportView & { cohorts: { id: string; name: string }[] }

export function StudyWidePage({ id }: { id: string }) {
  const study = useResource(() => call(api.studies[':id'].$get({ param: { id } })), [id])
  usePageTitle(study.data ? `${t('staff.studyWide.title')} — ${study.data.name}` : undefined)
  if (study.error) return <LoadError error={study.error} retry={study.reload} />
  if (!study.data) return <Loading />
  const researcher = study.data.roles.includes('researcher')
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: study.data.name, href: `/studies/${id}` }, { label: t('staff.studyWide.title') }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.studyWide.title')}</h1>
        <p className="muted">{t(researcher ? 'staff.studyWide.intro' : 'staff.studyWide.introLead')}</p>
        <p data-testid="study-wide-cohorts">{t('staff.studyWide.cohorts', { names: new Intl.ListFormat(locale(), { type: 'conjunction' }).format(study.data.cohorts.map((c) => c.name)) })}</p>
      </header>
      {researcher && <LiveTables id={id} kinds={orderedKinds(study.data.waveKinds)} />}
      <h2>{t('staff.studyWide.releases')}</h2>
      <Releases scope={{ of: 'study', id }} researcher={researcher} />
    </>
  )
}

/** The researcher's live Table 1 and report of all cohorts together, with their downloads; the report between any two kinds of wave the cohorts have (`kinds`). */
function LiveTables({ id, kinds }: { id: string; kinds: WaveKind[] }) {
  const [waves, setWaves] = useState<{ from: WaveKind; to: WaveKind }>(defaultWaves(kinds))
  // With format=json the answers are the table and the report; the routes' types also list CSV and Markdown text.
  const table = useResource(() => call(api.studies[':id'].table1.$get({ param: { id }, query: { format: 'json' } })) as Promise<Table1>, [id])
  const report = useResource(() => call(api.studies[':id'].report.$get({ param: { id }, query: { ...waves, format: 'json' } })) as Promise<StudyReportView>, [id, waves.from, waves.to])
  // Codes are per cohort, so the rows are named "cohort · code": link each to its participant by id.
  const idOf = useMemo(() => {
    const ids = new Map(report.data?.view === 'researcher' ? report.data.participants.map((p) => [p.code, p.id]) : [])
    return (code: string) => ids.get(code)
  }, [report.data])
  const tableUrl = (format: 'csv' | 'md') => {
    const url = api.studies[':id'].table1.$url({ param: { id }, query: { format } })
    return url.pathname + url.search
  }
  const reportUrl = (format: 'csv' | 'md') => {
    const url = api.studies[':id'].report.$url({ param: { id }, query: { ...waves, format } })
    return url.pathname + url.search
  }
  return (
    <>
      {table.error ? <LoadError error={table.error} retry={table.reload} /> : !table.data ? <Loading /> : <Table1View data={table.data} download={tableUrl} />}
      {report.error ? (
        <LoadError error={report.error} retry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <div className="report">
          <div className="report-toolbar no-print">
            <WavePairSelect kinds={kinds} waves={waves} onChange={setWaves} />
            <a className="button secondary" href={reportUrl('csv')} download={`report-all-groups-${waves.from}-${waves.to}.csv`}>
              {t('staff.report.csv')}
            </a>
            <a className="button secondary" href={reportUrl('md')} download={`report-all-groups-${waves.from}-${waves.to}.md`}>
              {t('staff.report.markdown')}
            </a>
          </div>
          <ReportBody report={report.data} sessions={0} idOf={idOf} />
        </div>
      )}
    </>
  )
}

/**
 * A study's qualitative analyses, one tab each: Table 2, code frequencies by participant, code
 * saturation, inter-coder agreement with the disagreements to resolve, the joint displays of its
 * cohorts, and the REFI-QDA exports for MAXQDA, NVivo, ATLAS.ti and QualCoder.
 */
import { Link } from 'wouter'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { AgreementTab } from '../qualitative/analysis/AgreementTab'
import { ExportsTab } from '../qualitative/analysis/ExportsTab'
import { FrequenciesTab } from '../qualitative/analysis/FrequenciesTab'
import { SaturationTab } from '../qualitative/analysis/SaturationTab'
import { Table2Tab } from '../qualitative/analysis/Table2Tab'
import { StudySectionHeader } from '../qualitative/StudySection'
import { call, useResource } from '../request'
import { LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

const tabs = ['table2', 'frequencies', 'saturation', 'agreement', 'exports'] as const
type Tab = (typeof tabs)[number]

export function AnalysisPage({ id, tab }: { id: string; tab?: string }) {
  const study = useResource(() => call(api.studies[':id'].$get({ param: { id } })), [id])
  const current: Tab = tabs.find((candidate) => candidate === tab) ?? 'table2'
  usePageTitle(study.data ? `${t(`staff.analysis.tab.${current}`)} · ${study.data.name}` : undefined)
  if (study.error) return <LoadError error={study.error} retry={study.reload} />
  if (!study.data) return <Loading />
  const data = study.data
  return (
    <>
      <StudySectionHeader study={data} current="analysis" title={t('staff.analysis.title')} />
      <nav className="subtabs no-print" aria-label={t('staff.analysis.sections')}>
        <ul>
          {tabs.map((candidate) => (
            <li key={candidate}>
              <Link href={`/studies/${id}/analysis/${candidate}`} aria-current={candidate === current ? 'page' : undefined}>
                {t(`staff.analysis.tab.${candidate}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current === 'table2' && <Table2Tab studyId={id} />}
      {current === 'frequencies' && <FrequenciesTab studyId={id} />}
      {current === 'saturation' && <SaturationTab studyId={id} />}
      {current === 'agreement' && <AgreementTab studyId={id} />}
      {current === 'exports' && <ExportsTab study={data} />}
    </>
  )
}

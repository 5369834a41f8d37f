import { t } from '../lib/i18n'

/**
 * The column headers every per-person change table shares: score at each wave, change, reliable
 * change index and classification (the participant table, a participant's own report, the joint
 * display).
 */
export function ChangeHeaders({ waves }: { waves: { from: string; to: string } }) {
  return (
    <>
      <th scope="col" className="num">
        {waves.from}
      </th>
      <th scope="col" className="num">
        {waves.to}
      </th>
      <th scope="col" className="num">
        {t('staff.report.change')}
      </th>
      <th scope="col" className="num">
        {t('staff.report.rci')}
      </th>
      <th scope="col">{t('staff.report.classification')}</th>
    </>
  )
}

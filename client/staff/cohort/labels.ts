import { t } from '../../lib/i18n'
import type { ChangeClass } from '../types'

/** A reliable-change classification in words; null when it could not be computed. */
export const classLabel = (c: ChangeClass | null): string => (c ? t(`staff.class.${c}`) : t('staff.class.none'))

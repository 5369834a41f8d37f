import type { Migration } from 'kysely'
import * as m0001 from './0001_initial'
import * as m0002 from './0002_staff'
import * as m0003 from './0003_interviews'
import * as m0060 from './0060_study_language_time_zone'

/** Every migration, by name, in order. Add new ones at the end; never change a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_staff': m0002,
  '0003_interviews': m0003,
  '0060_study_language_time_zone': m0060,
}

import type { Migration } from 'kysely'
import * as m0001 from './0001_initial'
import * as m0002 from './0002_staff'
import * as m0003 from './0003_interviews'
import * as m0050 from './0050_table2_quotations'
import * as m0051 from './0051_transcript_breaks'
import * as m0052 from './0052_transcript_search'

/** Every migration, by name, in order. Add new ones at the end; never change a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_staff': m0002,
  '0003_interviews': m0003,
  '0050_table2_quotations': m0050,
  '0051_transcript_breaks': m0051,
  '0052_transcript_search': m0052,
}

import type { Migration } from 'kysely'
import * as m0001 from './0001_initial'
import * as m0002 from './0002_staff'
import * as m0003 from './0003_interviews'
import * as m0010 from './0010_answers'
import * as m0020 from './0020_program_lead_releases'
import * as m0021 from './0021_audit_erasure'
import * as m0030 from './0030_operations'
import * as m0040 from './0040_primary_outcomes'
import * as m0050 from './0050_table2_quotations'
import * as m0051 from './0051_transcript_breaks'
import * as m0052 from './0052_transcript_search'
import * as m0060 from './0060_study_language_time_zone'
import * as m0061 from './0061_consensus_coding'
import * as m0062 from './0062_coding_done'
import * as m0070 from './0070_code_colour'
import * as m0071 from './0071_coding_consensus_unique'
import * as m0090 from './0090_safety_and_jobs'
import * as m0091 from './0091_messaging'
import * as m0100 from './0100_answer_corrections'
import * as m0110 from './0110_response_participant_index'
import * as m0120 from './0120_postgres'
import * as m0130 from './0130_study_releases'
import * as m0135 from './0135_study_forms'
import * as m0145 from './0145_message_link_expiry'
import * as m0170 from './0170_consent_latest_index'
import * as m0180 from './0180_group_sessions_in_study_zone'
import * as m0190 from './0190_transcript_search_secure_delete'
import * as m0200 from './0200_answer_device_time'
import * as m0210 from './0210_study_email_name'
import * as m0220 from './0220_message_delivery_sending_index'

/** Every migration, by name, in order. Add new ones at the end; never change a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_staff': m0002,
  '0003_interviews': m0003,
  '0010_answers': m0010,
  '0020_program_lead_releases': m0020,
  '0021_audit_erasure': m0021,
  '0030_operations': m0030,
  '0040_primary_outcomes': m0040,
  '0050_table2_quotations': m0050,
  '0051_transcript_breaks': m0051,
  '0052_transcript_search': m0052,
  '0060_study_language_time_zone': m0060,
  '0061_consensus_coding': m0061,
  '0062_coding_done': m0062,
  '0070_code_colour': m0070,
  '0071_coding_consensus_unique': m0071,
  '0090_safety_and_jobs': m0090,
  '0091_messaging': m0091,
  '0100_answer_corrections': m0100,
  '0110_response_participant_index': m0110,
  '0120_postgres': m0120,
  '0130_study_releases': m0130,
  '0135_study_forms': m0135,
  '0145_message_link_expiry': m0145,
  '0170_consent_latest_index': m0170,
  '0180_group_sessions_in_study_zone': m0180,
  '0190_transcript_search_secure_delete': m0190,
  '0200_answer_device_time': m0200,
  '0210_study_email_name': m0210,
  '0220_message_delivery_sending_index': m0220,
}

/**
 * The database, as Kysely sees it. Times are ISO-8601 strings in UTC, booleans are 0/1 integers and
 * JSON is stored as text, so that the same migrations and queries run on SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export type WaveKind = 'pre' | 'post' | 'follow-up'
export type ParticipantStatus = 'invited' | 'consented' | 'active' | 'withdrawn'
export type ResponseStatus = 'draft' | 'complete'
/** Where a row came from: typed in at a participant's link, or imported from an earlier study's file. */
export type DataSource = 'link' | 'import' | 'demo'

export interface StudyTable {
  id: string
  name: string
  /** The consent form (an instrument of kind "consent") participants see first. */
  consent_instrument: string
  created_at: string
  /** Program leads see no figure built from fewer participants than this. */
  min_cell_size: Generated<number>
  /** 1: participants see their own change at their link once the post wave is complete. */
  participant_feedback: Generated<number>
  support_contact: string | null
  /** The language participants' pages are shown in unless they choose another: "en" or "fa". */
  language: Generated<string>
  /** IANA time zone in which waves open and close at the start and end of their days. */
  time_zone: Generated<string>
  /** JSON array of "instrument/scale" keys: the study's primary outcomes, not adjusted for multiplicity. */
  primary_outcomes: Generated<string>
  /** The demographics form asked at enrolment (migration 0135); null: the shipped "demographics". */
  demographics_instrument: string | null
}

/** A study-specific version of a loaded form: choices a researcher added to its choice lists (migration 0135). */
export interface StudyFormTable {
  instrument_id: string
  /** `<base version>+study.<study tag>.<seq>`: unique across studies, never reused. */
  version: string
  study_id: string
  /** 1, 2 … : the study's versions of this form, in order. */
  seq: number
  base_version: string
  /** JSON array of every choice added so far: `{ question, value, text: { en, fa? } }`. */
  additions: string
  /** "staff:<id>". */
  created_by: string
  created_at: string
}

export interface CohortTable {
  id: string
  study_id: string
  name: string
  leader: string | null
  /** JSON array of names. */
  co_leaders: string
  created_at: string
}

export interface GroupSessionTable {
  id: string
  cohort_id: string
  /** 1-based order within the cohort. */
  seq: number
  starts_at: string
}

export interface AttendanceTable {
  group_session_id: string
  participant_id: string
  present: number
  recorded_at: string
}

export interface ParticipantTable {
  id: string
  cohort_id: string
  /** Pseudonymous code, P1, P2 … within the cohort: the only identifier in exports. */
  code: string
  status: ParticipantStatus
  source: DataSource
  created_at: string
  withdrawn_at: string | null
}

export interface ParticipantLinkTable {
  id: string
  participant_id: string
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string
  /** 'staff': issued on the Participants tab (and every link older than migration 0145); 'message': minted for an invitation or reminder. */
  purpose: Generated<ParticipantLinkPurpose>
  created_at: string
  revoked_at: string | null
  /** Set on a message link once a newer one replaced it; it works until then (migration 0145). */
  expires_at: string | null
}

export type ParticipantLinkPurpose = 'staff' | 'message'

export interface ConsentTable {
  id: string
  participant_id: string
  instrument_id: string
  instrument_version: string
  decision: 'agree' | 'decline'
  /** JSON: the whole consent form as answered. */
  answers: string
  decided_at: string
}

export interface WaveTable {
  id: string
  cohort_id: string
  kind: WaveKind
  opens_at: string
  closes_at: string
  source: DataSource
}

export interface WaveInstrumentTable {
  wave_id: string
  position: number
  instrument_id: string
}

export interface ResponseTable {
  id: string
  participant_id: string
  /** Null for forms asked once per participant (demographics). */
  wave_id: string | null
  instrument_id: string
  instrument_version: string
  /** JSON object keyed by question name. */
  answers: string
  status: ResponseStatus
  /** The client's revision of the draft; a save with a lower revision than stored is stale and ignored. */
  revision: number
  /** Client-generated id of the completing submit: a retried submit with the same id returns the first result. */
  client_id: string | null
  source: DataSource
  started_at: string
  updated_at: string
  completed_at: string | null
}

/** The current answer to one question of a response (migration 0010). */
export interface ResponseAnswerTable {
  response_id: string
  question: string
  /** JSON text; null when the participant cleared the answer. */
  value: string | null
  /** When it was given, by the device's clock (clamped to the server's: never in the future). */
  answered_at: string
  device_id: string
  received_at: string
  /** When it was given, by the device's clock as sent, unclamped (migration 0200): orders one device's answers. Null before 0200, and where no device gave it. */
  given_at: string | null
}

/** A value that is no longer, or never was, the current answer: replaced by a later one. */
export interface ResponseAnswerHistoryTable {
  id: string
  response_id: string
  question: string
  value: string | null
  answered_at: string
  device_id: string
  received_at: string
  given_at: string | null
  superseded_at: string
}

/** A researcher's correction of a stored answer (migration 0100). Values are JSON text; null: no answer. */
export interface AnswerCorrectionTable {
  id: string
  response_id: string
  question: string
  old_value: string | null
  new_value: string | null
  reason: string
  /** "staff:<id>". */
  corrected_by: string
  corrected_at: string
}

export interface ScaleScoreTable {
  response_id: string
  scale_id: string
  score: number | null
  band_index: number | null
  answered: number
  prorated: number
}

export interface ResponseFlagTable {
  response_id: string
  flag_id: string
  item: string
  value: number
  severity: 'safety' | 'info'
  raised_at: string
}

export interface AuditLogTable {
  id: string
  at: string
  /** Who: "participant:<id>", "cli", "system", later "staff:<id>". */
  actor: string
  action: string
  entity: string
  entity_id: string | null
  /** JSON, never answers or tokens. */
  details: string
}

export type StaffRole = 'researcher' | 'program_lead' | 'group_leader' | 'interviewer'

export interface StaffUserTable {
  id: string
  /** Lower-cased. */
  email: string
  name: string
  /** argon2id. */
  password_hash: string
  is_admin: number
  created_at: string
  disabled_at: string | null
}

export interface StaffSessionTable {
  id: string
  user_id: string
  /** SHA-256 of the session cookie's value. */
  token_hash: string
  created_at: string
  expires_at: string
  ended_at: string | null
}

export interface StudyRoleTable {
  study_id: string
  user_id: string
  role: StaffRole
  granted_at: string
}

export interface SetupTokenTable {
  id: string
  token_hash: string
  created_at: string
  used_at: string | null
}

/** Which server process may write to this database (one at a time). */
export interface ServerLeaseTable {
  name: string
  /** A random id of the holding process. */
  holder: string
  host: string
  pid: number
  started_at: string
  heartbeat_at: string
}

/** Failed sign-ins under one key, and when the next attempt is allowed. */
export interface SignInThrottleTable {
  key: string
  failures: number
  next_attempt_at: string
  updated_at: string
}

/** A one-time link for choosing a password (reset, or an account made from the command line). */
export interface PasswordLinkTable {
  id: string
  user_id: string
  /** SHA-256 of the link's token. */
  token_hash: string
  created_by: string
  created_at: string
  expires_at: string
  used_at: string | null
}

export interface InterviewAssignmentTable {
  id: string
  study_id: string
  /** A staff user with the interviewer role in the study. */
  interviewer_id: string
  participant_id: string
  assigned_by: string
  assigned_at: string
}

export interface InterviewTable {
  id: string
  participant_id: string
  interviewer_id: string
  /** The interview guide's id and version the interview followed. */
  guide_id: string
  guide_version: string
  consent_to_record: number
  started_at: string
  ended_at: string | null
  updated_at: string
}

export interface InterviewNoteTable {
  interview_id: string
  /** The guide question's id. */
  question_id: string
  text: string
  /** The client's revision; a save with a revision not above the stored one is stale and ignored. */
  revision: number
  updated_at: string
}

export type TranscriptFormat = 'text' | 'vtt'

export interface TranscriptTable {
  id: string
  interview_id: string
  format: TranscriptFormat
  /** Plain text: what codings' offsets point into. */
  text: string
  /** The upload as it came (a WebVTT file keeps its cue timings here). */
  original: string
  uploaded_by: string
  created_at: string
  updated_at: string
}

export type CodeLevelColumn = 'theme' | 'category' | 'code'

export interface CodeTable {
  id: string
  study_id: string
  parent_id: string | null
  level: CodeLevelColumn
  name: string
  description: string | null
  /** `#rrggbb` (lower case), or null for a code made before colours existed (migration 0070). */
  color: string | null
  /** Set when the code was merged into another; it then no longer appears in the codebook. */
  merged_into: string | null
  created_at: string
  deleted_at: string | null
}

export type CodeHistoryAction = 'create' | 'rename' | 'move' | 'describe' | 'merge' | 'delete'

export interface CodeHistoryTable {
  id: string
  code_id: string
  action: CodeHistoryAction
  /** JSON: what changed, from what to what. */
  details: string
  actor: string
  at: string
}

export interface CodingTable {
  id: string
  transcript_id: string
  code_id: string
  coder_id: string
  /** Unicode code points into the transcript's text, start inclusive. */
  start_offset: number
  /** Unicode code points, end exclusive. */
  end_offset: number
  /** The coded passage, copied from the stored transcript on the server. */
  text: string
  created_at: string
  deleted_at: string | null
  /** 1 for a coding of the consensus set, recorded by resolving a disagreement (migration 0061); else 0. */
  consensus: Generated<number>
}

export type MemoTargetType = 'code' | 'transcript' | 'project'

export interface MemoTable {
  id: string
  study_id: string
  target_type: MemoTargetType
  /** Null for a memo on the whole project. */
  target_id: string | null
  author_id: string
  text: string
  created_at: string
  updated_at: string
  deleted_at: string | null
}

export interface Table2QuoteTable {
  code_id: string
  coding_id: string
  /** 1-based order of the code's quotations in Table 2 (migration 0050). */
  position: number
  chosen_by: string
  chosen_at: string
}

/** A coder has finished coding a transcript (migration 0062). */
export interface CodingDoneTable {
  transcript_id: string
  coder_id: string
  done_at: string
}

export type ResolutionDecision = 'applies' | 'does_not_apply'

export interface AgreementResolutionTable {
  id: string
  transcript_id: string
  code_id: string
  start_offset: number
  end_offset: number
  decision: ResolutionDecision
  note: string
  decided_by: string
  decided_at: string
}

export type MemberCheckDecision = 'confirm' | 'comment' | 'withdraw'

export interface MemberCheckTable {
  id: string
  coding_id: string
  participant_id: string
  decision: MemberCheckDecision
  comment: string | null
  decided_at: string
}

/** A study's disclosure-control thresholds for what program leads see (server/domain/outcomes/disclosure.ts). */
export interface DisclosurePolicyTable {
  study_id: string
  min_n: number
  order_min_n: number
  count_redact_at_or_below: number
  count_rounding: number
  updated_at: string
  updated_by: string
}

/** A frozen, disclosure-controlled snapshot of a cohort's program-lead report. */
export interface ProgramLeadReleaseTable {
  id: string
  study_id: string
  cohort_id: string
  released_at: string
  released_by: string
  released_by_name: string
  /** JSON: the policy the snapshot was built under. */
  policy: string
  /** JSON: what program leads see. */
  content: string
  /** JSON: figure key → participant ids it was computed from; for the next release's differencing check only. */
  basis: string
}

/** A study-wide release (all cohorts together): as ProgramLeadReleaseTable, without a cohort. */
export interface StudyReleaseTable {
  id: string
  study_id: string
  released_at: string
  released_by: string
  released_by_name: string
  policy: string
  content: string
  basis: string
}

/** Audit entries about to be erased with a participant's data (migration 0021). */
export interface AuditErasureTable {
  audit_id: string
}

/** What participants see, and who is told, when an answer raises a safety flag (migration 0090). */
export interface StudySafetyTable {
  study_id: string
  /** Null: the built-in text (contact local emergency services), in the participant's language. */
  support_text_en: string | null
  support_text_fa: string | null
  contact: string | null
  /** JSON array of email addresses. */
  notify_emails: string
  renotify_after_hours: number
  updated_at: string
  updated_by: string
}

/** A researcher has seen a safety flag and says what was done (migration 0090). */
export interface SafetyAcknowledgementTable {
  response_id: string
  flag_id: string
  action: string
  acknowledged_by: string
  acknowledged_at: string
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled'

/** Work to be done at a time, claimed by one runner with a conditional update (migration 0090). */
export interface JobTable {
  id: string
  kind: string
  study_id: string
  ref: string
  dedupe_key: string
  due_at: string
  status: JobStatus
  attempts: Generated<number>
  claimed_by: string | null
  claimed_at: string | null
  finished_at: string | null
  last_error: string | null
  /** JSON. */
  details: Generated<string>
  created_at: string
}

/** A participant's optional contact details, apart from their answers (migration 0091). */
export interface ParticipantContactTable {
  participant_id: string
  email: string | null
  phone: string | null
  /** "en" or "fa"; null: the study's language. */
  language: string | null
  reminders_opt_out: Generated<number>
  updated_at: string
}

/** The study's message schedule, applied to each wave (migration 0091). */
export interface StudyMessagingTable {
  study_id: string
  invite_on_open: number
  /** JSON array of whole days before a wave closes. */
  reminder_days: string
  /** The study's name in its emails to participants; null: the study's own name (migration 0210). */
  email_name: string | null
  updated_at: string
  updated_by: string
}

export type DeliveryStatus = 'sending' | 'sent' | 'failed' | 'prepared' | 'unknown'

/** What was sent to whom and when (migration 0091); no address, no link. */
export interface MessageDeliveryTable {
  id: string
  job_id: string | null
  study_id: string
  participant_id: string
  wave_id: string | null
  kind: 'invitation' | 'reminder'
  channel: 'email' | 'by_hand'
  /**
   * `unknown`: it was being sent when its run stopped for good (the server killed): it may or may not
   * have arrived, and is not sent again on its own (see recoverInterruptedDeliveries).
   */
  status: DeliveryStatus
  error: string | null
  actor: string
  created_at: string
  sent_at: string | null
}

export interface Database {
  study: StudyTable
  study_form: StudyFormTable
  cohort: CohortTable
  group_session: GroupSessionTable
  attendance: AttendanceTable
  participant: ParticipantTable
  participant_link: ParticipantLinkTable
  consent: ConsentTable
  wave: WaveTable
  wave_instrument: WaveInstrumentTable
  response: ResponseTable
  response_answer: ResponseAnswerTable
  response_answer_history: ResponseAnswerHistoryTable
  answer_correction: AnswerCorrectionTable
  scale_score: ScaleScoreTable
  response_flag: ResponseFlagTable
  audit_log: AuditLogTable
  staff_user: StaffUserTable
  staff_session: StaffSessionTable
  study_role: StudyRoleTable
  setup_token: SetupTokenTable
  interview_assignment: InterviewAssignmentTable
  interview: InterviewTable
  interview_note: InterviewNoteTable
  transcript: TranscriptTable
  code: CodeTable
  code_history: CodeHistoryTable
  coding: CodingTable
  memo: MemoTable
  table2_quote: Table2QuoteTable
  agreement_resolution: AgreementResolutionTable
  coding_done: CodingDoneTable
  member_check: MemberCheckTable
  disclosure_policy: DisclosurePolicyTable
  program_lead_release: ProgramLeadReleaseTable
  study_release: StudyReleaseTable
  audit_erasure: AuditErasureTable
  server_lease: ServerLeaseTable
  sign_in_throttle: SignInThrottleTable
  password_link: PasswordLinkTable
  study_safety: StudySafetyTable
  safety_acknowledgement: SafetyAcknowledgementTable
  job: JobTable
  participant_contact: ParticipantContactTable
  study_messaging: StudyMessagingTable
  message_delivery: MessageDeliveryTable
}

export type StudyRow = Selectable<StudyTable>
export type CohortRow = Selectable<CohortTable>
export type ParticipantRow = Selectable<ParticipantTable>
export type WaveRow = Selectable<WaveTable>
export type ResponseRow = Selectable<ResponseTable>
export type NewResponse = Insertable<ResponseTable>
export type ResponseUpdate = Updateable<ResponseTable>

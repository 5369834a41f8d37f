/**
 * The shapes the interview, coding and analysis pages receive, inferred from the server's routes
 * through the typed client, so a change on the server shows up here as a type error.
 */
import type { InferResponseType } from 'hono/client'
import type { api } from '../../lib/api'

type Api = typeof api

export type AssignedParticipant = InferResponseType<Api['interviewer']['participants']['$get'], 200>[number]
export type InterviewDetail = InferResponseType<Api['participants'][':id']['interview']['$get'], 200>
export type Guide = InferResponseType<Api['studies'][':id']['interview-guides']['$get'], 200>[number]
export type GuideQuestion = Guide['questions'][number]
export type InterviewNote = InterviewDetail['notes'][number]
export type TranscriptSummary = InferResponseType<Api['studies'][':id']['transcripts']['$get'], 200>[number]
export type TranscriptDetail = InferResponseType<Api['transcripts'][':id']['$get'], 200>
export type CodeRow = InferResponseType<Api['studies'][':id']['codes']['$get'], 200>[number]
export type CodeLevel = CodeRow['level']
export type CodingRow = InferResponseType<Api['transcripts'][':id']['codings']['$get'], 200>['codings'][number]
export type MemoRow = InferResponseType<Api['studies'][':id']['memos']['$get'], 200>[number]
export type MemoTarget = MemoRow['targetType']
export type HistoryEntry = InferResponseType<Api['codes'][':id']['history']['$get'], 200>[number]
export type QuoteRow = InferResponseType<Api['studies'][':id']['quotes']['$get'], 200>[number]
export type StaffRow = InferResponseType<Api['studies'][':id']['staff']['$get'], 200>[number]

export const codeLevels: readonly CodeLevel[] = ['theme', 'category', 'code']

// The analyses. Table 2 and the code frequencies also answer as CSV/Markdown text; the pages ask for JSON.
export type Table2View = Exclude<InferResponseType<Api['studies'][':id']['table2']['$get'], 200>, string>
export type Table2RowView = Table2View['rows'][number]
export type CodeFrequenciesView = Exclude<InferResponseType<Api['studies'][':id']['code-frequencies']['$get'], 200>, string>
export type SaturationView = InferResponseType<Api['studies'][':id']['saturation']['$get'], 200>
export type SaturationPointView = SaturationView['interviews'][number]
export type AgreementView = InferResponseType<Api['studies'][':id']['agreement']['$get'], 200>
export type DisagreementView = AgreementView['disagreements'][number]
export type JointDisplayView = InferResponseType<Api['cohorts'][':id']['joint-display']['$get'], 200>
export type JointParticipant = JointDisplayView['participants'][number]
export type ChangeGroup = JointDisplayView['matrix']['groups'][number]['group']

// Issue 18: the report of a codebook import.
export type ImportReportView = InferResponseType<Api['studies'][':id']['codebook']['import']['$post'], 200>

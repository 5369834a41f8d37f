/**
 * The shapes the staff pages receive, inferred from the server's routes through the typed client, so
 * a change on the server shows up here as a type error.
 */
import type { InferResponseType } from 'hono/client'
import type { api } from '../lib/api'

type Api = typeof api

export type StudySummary = InferResponseType<Api['studies']['$get'], 200>[number]
export type StudyDetail = InferResponseType<Api['studies'][':id']['$get'], 200>
export type StudyStaffRow = InferResponseType<Api['studies'][':id']['staff']['$get'], 200>[number]
export type StaffAccount = InferResponseType<Api['staff-users']['$get'], 200>[number]
export type CohortDetail = InferResponseType<Api['cohorts'][':id']['$get'], 200>
export type Tracking = InferResponseType<Api['cohorts'][':id']['tracking']['$get'], 200>
export type TrackingRow = Tracking['participants'][number]
export type NewLink = InferResponseType<Api['cohorts'][':id']['participants']['$post'], 201>[number]
export type Instrument = InferResponseType<Api['instruments']['$get'], 200>[number]
export type SessionSheet = InferResponseType<Api['cohorts'][':id']['sessions']['$get'], 200>
// The same route also answers ?format=csv and ?format=md as text; the pages ask for JSON.
export type CohortReportView = Exclude<InferResponseType<Api['cohorts'][':id']['report']['$get'], 200>, string>
export type ResearcherReport = Extract<CohortReportView, { view: 'researcher' }>
export type ScaleReport = CohortReportView['scales'][number]
export type ReportParticipant = ResearcherReport['participants'][number]
export type ParticipantScale = ReportParticipant['scales'][number]
export type ChangeClass = keyof ScaleReport['reliableChange']
export type ParticipantReport = InferResponseType<Api['participants'][':id']['report']['$get'], 200>
// The same route also answers ?format=r with the R script; the page asks for JSON.
export type PooledReport = Exclude<InferResponseType<Api['studies'][':id']['pooled-report']['$get'], 200>, string>
export type PooledScale = PooledReport['scales'][number]

export type Role = StudySummary['roles'][number]
export type WaveKind = CohortDetail['waves'][number]['kind']

export const waveKinds: readonly WaveKind[] = ['pre', 'post', 'follow-up']
export const changeClasses: readonly ChangeClass[] = ['recovered', 'improved', 'unchanged', 'deteriorated']
export const roles: readonly Role[] = ['researcher', 'program_lead', 'group_leader', 'interviewer']

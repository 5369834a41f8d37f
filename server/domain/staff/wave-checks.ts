/**
 * Wave dates that make sense (issue 17). Pure: no database, no clock.
 *
 * - Waves of one cohort should not overlap: a participant with both open can answer pre and post
 *   back to back, and their "change" measures nothing (setup.ts refuses without confirmation).
 * - Pre measures before the intervention and post after it (Kirkpatrick's level-3/4 designs, and the
 *   seed study's protocol): a pre wave still open on the first group session's day, or a post
 *   wave open on or before the last session's day, mixes answers given before and during the groups. That
 *   can be intended (late enrolment, a rolling group), so it is a warning that says why, not a refusal.
 */
import type { GroupSession, Wave } from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import { dayInZone, endOfDay } from '../dates'

export type WaveWarning = {
  code: 'pre_closes_after_first_session' | 'post_opens_before_last_session'
  message: string
  /** The session the dates are compared with (ISO time). */
  sessionStartsAt: string
}

/** The other waves of the cohort whose open interval [opensAt, closesAt) meets this one's. */
export function overlappingWaves(waves: readonly Wave[], wave: { kind: WaveKind; opensAt: string; closesAt: string }): Wave[] {
  const opens = Date.parse(wave.opensAt)
  const closes = Date.parse(wave.closesAt)
  return waves.filter((w) => w.kind !== wave.kind && Date.parse(w.opensAt) < closes && opens < Date.parse(w.closesAt))
}

/**
 * Why a wave's dates are unusual for the cohort's group sessions, or nothing. Sessions are days in
 * the study's time zone (`timeZone`; each stored at the start of its day there): a pre wave still
 * open on the first session's day, or a post wave open on or before the last session's day, may take
 * answers while the groups run.
 *
 * @example
 * waveWarnings({ kind: 'pre', opensAt: '2026-03-01T00:00:00Z', closesAt: '2026-03-12T00:00:00Z' }, [{ startsAt: '2026-03-09T00:00:00Z', … }], 'UTC')
 * // [{ code: 'pre_closes_after_first_session', … }]
 */
export function waveWarnings(wave: Pick<Wave, 'kind' | 'opensAt' | 'closesAt'> & Partial<Pick<Wave, 'source'>>, sessions: readonly Pick<GroupSession, 'startsAt'>[], timeZone: string): WaveWarning[] {
  // An imported wave without dates (open and closed at the instant of its import) is open to nobody.
  if (sessions.length === 0 || (wave.source === 'import' && wave.opensAt === wave.closesAt)) return []
  const starts = sessions.map((s) => s.startsAt).sort()
  const first = starts[0]!
  const last = starts[starts.length - 1]!
  const warnings: WaveWarning[] = []
  if (wave.kind === 'pre' && Date.parse(wave.closesAt) > Date.parse(first)) {
    warnings.push({ code: 'pre_closes_after_first_session', message: 'The pre wave is still open after the first group session begins: some pre answers may be given after the groups started.', sessionStartsAt: first })
  }
  // The last session's day ends at the start of the next day there.
  if (wave.kind === 'post' && Date.parse(wave.opensAt) < endOfDay(dayInZone(new Date(last), timeZone), timeZone).getTime()) {
    warnings.push({ code: 'post_opens_before_last_session', message: 'The post wave opens on or before the day of the last group session: some post answers may be given before the groups ended.', sessionStartsAt: last })
  }
  return warnings
}

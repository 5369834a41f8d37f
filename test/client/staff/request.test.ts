/**
 * A refused request on a staff page: the server's English message as it is on an English page; on a
 * Persian page, led by the code's text in Persian, the English kept after it inside Unicode isolates
 * (found by a review: a Persian staff page showed the server's English alone).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { addMessages, setLanguage } from '../../../client/lib/i18n'
import { staffEn } from '../../../client/staff/messages'
import { staffFa } from '../../../client/staff/messages.fa'

// The typed client (lib/api.ts) is made for the page's own origin, read from `window` when loaded.
let request: typeof import('../../../client/staff/request')
beforeAll(async () => {
  ;(globalThis as { window?: unknown }).window = { location: { origin: 'http://127.0.0.1' } }
  request = await import('../../../client/staff/request')
  addMessages('en', staffEn)
  addMessages('fa', staffFa)
})
afterAll(() => void delete (globalThis as { window?: unknown }).window)
afterEach(() => setLanguage('en'))

const refused = (status: number, body: unknown, type = 'application/json') => Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } }))

async function failureOf(response: Promise<Response>) {
  const error = await request.call(response).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(request.ApiFailure)
  return error as InstanceType<typeof request.ApiFailure>
}

describe('a refused request on a staff page', () => {
  it('shows the server’s message as it is on an English page', async () => {
    const failure = await failureOf(refused(404, { error: { code: 'not_found', message: 'No such cohort.' } }))
    expect(failure.message).toBe('No such cohort.')
    expect(failure.code).toBe('not_found')
  })

  it('leads with the code’s Persian text on a Persian page, the English isolated after it', async () => {
    setLanguage('fa')
    const failure = await failureOf(refused(404, { error: { code: 'not_found', message: 'No such cohort.' } }))
    expect(failure.message).toBe(`${staffFa['staff.error.code.not_found']} \u2068No such cohort.\u2069`)
    expect(failure.message.startsWith('پیدا نشد')).toBe(true)
    // A code the page does not know, and a proxy's own page (no body of ours): Persian still leads.
    expect((await failureOf(refused(409, { error: { code: 'a_code_added_later', message: 'Something new.' } }))).message).toBe(`${staffFa['staff.error.code.other']} \u2068Something new.\u2069`)
    expect((await failureOf(refused(502, '<html>Bad gateway</html>', 'text/html'))).message.startsWith(staffFa['staff.error.code.server'])).toBe(true)
    expect((await failureOf(refused(403, { error: { code: 'forbidden', message: 'Your role may not do this.' } }))).message.startsWith(staffFa['staff.error.code.forbidden'])).toBe(true)
  })

  // Found by the last session's review: a field's own problem, shown under the field, stayed English alone.
  it('leads each field’s problem with a Persian text on a Persian page, and shows it as it is on an English page', async () => {
    const body = { error: { code: 'validation_failed', message: 'closes: must be after the opening date', details: [{ field: 'closes', message: 'must be after the opening date' }] } }
    expect((await failureOf(refused(422, body))).fieldProblems()).toEqual({ closes: 'must be after the opening date' })
    setLanguage('fa')
    const problems = (await failureOf(refused(422, body))).fieldProblems()
    expect(problems).toEqual({ closes: `${staffFa['staff.error.field']} \u2068must be after the opening date\u2069` })
    expect(problems.closes!.startsWith('پذیرفته نشد')).toBe(true)
  })
})

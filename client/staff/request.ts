/**
 * Calling the API from the staff pages: every call goes through the typed client in lib/api.ts and
 * then through `call`, which turns a failed response into an `ApiFailure` carrying the server's
 * `{error:{code,message,details}}` and sends a signed-out user to the sign-in page.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { errorOf } from '../lib/api'
import { language, t, type MessageKey } from '../lib/i18n'

/** A field the server rejected, as in `details` of a 422. */
export type FieldProblem = { field: string; message: string }

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }

  /** The problems the server named per field (422), keyed by field: `instruments[2]` also counts for `instruments`. */
  fieldProblems(): Record<string, string> {
    const problems: Record<string, string> = {}
    if (!Array.isArray(this.details)) return problems
    for (const entry of this.details as unknown[]) {
      if (!entry || typeof entry !== 'object') continue
      const { field, message } = entry as Partial<FieldProblem>
      if (typeof field !== 'string' || typeof message !== 'string') continue
      for (const key of new Set([field, field.replace(/\[\d+\].*$/, '')])) problems[key] = problems[key] && problems[key] !== message ? `${problems[key]}; ${message}` : message
    }
    // On a page not in English, a field's problem is led by a text in the page's language, the
    // server's English isolated after it, as a refusal's message is (failureMessage).
    if (language() !== 'en') for (const key of Object.keys(problems)) problems[key] = `${t('staff.error.field')} \u2068${problems[key]}\u2069`
    return problems
  }
}

let unauthorizedHandler: (() => void) | undefined

/** Who to tell when the server says the session is gone (401): the app sends the user to sign in. */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  unauthorizedHandler = handler
}

type JsonResponse = Response & { json(): Promise<unknown> }

/**
 * The body of a successful response, or an `ApiFailure`. A 401 also calls the unauthorized handler,
 * unless `signInPage` is set (on the sign-in page, a 401 means a wrong password, not a lost session).
 *
 * @example
 * const studies = await call(api.studies.$get())
 */
export async function call<R extends JsonResponse>(request: Promise<R>, options: { signInPage?: boolean } = {}): Promise<Awaited<ReturnType<R['json']>>> {
  let response: R
  try {
    response = await request
  } catch {
    throw new ApiFailure(0, 'network', t('staff.error.network'))
  }
  if (response.ok) return (await response.json()) as Awaited<ReturnType<R['json']>>
  const error = await errorOf(response)
  if (response.status === 401 && !options.signInPage) unauthorizedHandler?.()
  throw new ApiFailure(response.status, error.code, failureMessage(error.code, error.message), error.details)
}

/** The staff text leading a refusal of each code on a page not in English (the rest: `staff.error.code.other`). */
const codeTexts: Record<string, MessageKey> = {
  not_found: 'staff.error.code.not_found',
  validation_failed: 'staff.error.code.validation_failed',
  conflict: 'staff.error.code.conflict',
  waves_overlap: 'staff.error.code.conflict',
  wave_has_answers: 'staff.error.code.conflict',
  instruments_have_answers: 'staff.error.code.conflict',
  forbidden: 'staff.error.code.forbidden',
  unauthorized: 'staff.error.code.unauthorized',
  rate_limited: 'staff.error.code.rate_limited',
  payload_too_large: 'staff.error.code.payload_too_large',
  invalid_request: 'staff.error.code.invalid_request',
  invalid_json: 'staff.error.code.invalid_request',
  withdrawn: 'staff.error.code.withdrawn',
  link_not_found: 'staff.error.code.link_not_found',
  disclosure_risk: 'staff.error.code.disclosure_risk',
  internal_error: 'staff.error.code.server',
}

/**
 * What a staff page says for a refused request with `code` (the API's error codes: README, "API
 * errors"; `http_<status>` for a body that was not ours: lib/api.ts, errorOf) and the server's
 * `message`. The message is English, written for the team and API users, and specific ("This cohort
 * has no pre wave."): on an English page it is shown as it is. On a page in another language (Persian)
 * the code's text in that language leads, and the English follows it inside Unicode isolates (U+2068
 * FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE, Unicode Bidirectional Algorithm, UAX #9), so
 * that a right-to-left line neither reorders its words nor loses what it says. Found by a review: a
 * Persian staff page showed the server's English alone.
 */
export function failureMessage(code: string, message: string): string {
  if (language() === 'en') return message || t('staff.error.unknown')
  const lead = t(codeTexts[code] ?? (/^http_5\d\d$/.test(code) ? 'staff.error.code.server' : 'staff.error.code.other'))
  return message ? `${lead} \u2068${message}\u2069` : lead
}

function asFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error
  console.error(error)
  return new ApiFailure(0, 'client_error', t('staff.error.unknown'))
}

export type Resource<T> = {
  data: T | undefined
  error: ApiFailure | undefined
  loading: boolean
  reload: () => Promise<void>
}

/**
 * Data loaded from the API when a page opens, and again on `reload()`. A response that arrives after
 * the page has moved on to other parameters is dropped.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<ApiFailure | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const loader = useCallback(load, deps)
  const reload = useCallback(async () => {
    const mine = ++generation.current
    setLoading(true)
    try {
      const value = await loader()
      if (mine !== generation.current) return
      setData(value)
      setError(undefined)
    } catch (e) {
      if (mine !== generation.current) return
      setError(asFailure(e))
    } finally {
      if (mine === generation.current) setLoading(false)
    }
  }, [loader])
  // New parameters (another study, another cohort): what was shown belongs to the old ones.
  useEffect(() => {
    setData(undefined)
    setError(undefined)
    void reload()
    return () => {
      generation.current++
    }
  }, [reload])
  return { data, error, loading, reload }
}

export type Action<A extends unknown[], T> = {
  run: (...args: A) => Promise<T | undefined>
  pending: boolean
  error: ApiFailure | undefined
  /** The server's message for one field of the form, if it named that field. */
  fieldError: (field: string) => string | undefined
  /** The error's message when it names none of these fields (so no field shows it), for a notice under the form. */
  formError: (fields: readonly string[]) => string | undefined
  clearError: () => void
}

/** A state-changing request started by the user: pending while it runs, its failure kept for the form to show. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): Action<A, T> {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ApiFailure | undefined>(undefined)
  const run = async (...args: A) => {
    setPending(true)
    setError(undefined)
    try {
      return await action(...args)
    } catch (e) {
      setError(asFailure(e))
      return undefined
    } finally {
      setPending(false)
    }
  }
  const problems = error?.fieldProblems() ?? {}
  return {
    run,
    pending,
    error,
    fieldError: (field) => problems[field],
    formError: (fields) => (error && !fields.some((f) => problems[f]) ? error.message : undefined),
    clearError: () => setError(undefined),
  }
}

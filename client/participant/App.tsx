import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react'
import { ephemeralDeviceId, openDeviceStore, type DeviceStore } from './device-store'
import { memoryStore } from './outbox'
import { Model, type SurveyModel } from 'survey-core'
import { Survey } from 'survey-react-ui'
import type { FormState, ParticipantState, WaveView } from '../../server/contracts/participant'
import { inlinedStateId } from '../../server/contracts/participant-page'
import { SaveStatus } from '../components/SaveStatus'
import { api, errorOf } from '../lib/api'
import { formatClosing, formatDate, formatLastDay, isLanguage, language, languages, t, type Language } from '../lib/i18n'
import { FormView } from './FormView'
import { dismissibleRefusalText, refusalText, requestErrorText } from './refusal-text'
import { InterviewQuotes } from './InterviewQuotes'
import { YourResults } from './YourResults'
import { dismissibleRefusals, Outbox } from './outbox'
import { httpTransport, withTimeout } from './transport'
import { applyLanguage, chooseLanguage, chosenLanguage, formLanguage } from './language'
import { localText, questionCount, questionsLeftIn } from './progress'
import { BreakPage, ConsentCopy, DismissibleRefusal, ProgressHeader } from './Stages'
import { applyParticipantTheme } from './theme'

type Load = { kind: 'loading'; offline: boolean } | { kind: 'inactive' } | { kind: 'replaced'; language: string | null } | { kind: 'ready'; state: ParticipantState; fromDevice: boolean }

type Setup = { outbox: Outbox; device: DeviceStore | null }

let setup: Promise<Setup> | undefined

/**
 * The device's store and the outbox over it, made once per page (React's StrictMode runs effects
 * twice; two outboxes would send everything twice). A device that refuses storage gets an outbox in
 * memory that says so; one whose storage does not answer within 3 s starts from memory and takes the
 * device's store when it opens (Outbox.awaitStore), and if it has not opened 15 s later (WebKit can
 * leave indexedDB.open pending for ever), stops waiting and says, as above, that answers are not kept.
 */
function setUp(token: string): Promise<Setup> {
  setup ??= (async () => {
    const opening = openDeviceStore(token).catch(() => null)
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3000))
    const opened = await Promise.race([opening, timeout])
    const device = opened === 'timeout' ? null : opened
    const outbox = new Outbox({
      store: device?.outbox ?? memoryStore(),
      deviceId: device?.deviceId ?? ephemeralDeviceId(),
      transport: httpTransport(token),
      isOnline: () => navigator.onLine,
    })
    await outbox.ready
    // Slow storage is still storage: answers kept there on an earlier visit are sent once it opens.
    if (opened === 'timeout') outbox.awaitStore(opening.then((d) => d?.outbox ?? null))
    return { outbox, device }
  })()
  return setup
}

/** The state with what the server confirmed on this page since it was loaded: answers, and forms stored as complete. */
function withConfirmed(state: ParticipantState, outbox: Outbox): ParticipantState {
  const form = (slot: string, f: FormState): FormState => {
    const confirmed = outbox.confirmedAnswers(slot, f.instrument.id)
    const complete = outbox.isConfirmedComplete(slot, f.instrument.id)
    if (Object.keys(confirmed).length === 0 && !complete) return f
    const answers: Record<string, unknown> = { ...(f.response?.answers ?? {}), ...confirmed }
    for (const [key, value] of Object.entries(answers)) if (value === null) delete answers[key]
    const now = new Date().toISOString()
    return {
      ...f,
      response: {
        status: complete ? 'complete' : (f.response?.status ?? 'draft'),
        answers,
        revision: f.response?.revision ?? 0,
        updatedAt: now,
        completedAt: complete ? (f.response?.completedAt ?? now) : null,
      },
    }
  }
  return {
    ...state,
    enrolment: state.enrolment.map((f) => form('enrolment', f)),
    waves: state.waves.map((w) => ({ ...w, forms: w.forms.map((f) => form(w.kind, f)) })),
  }
}

type Queued = { slot: string; form: FormState }

/**
 * The next form to fill in: enrolment forms first, then each open wave's instruments in order. When
 * several waves are open at once, the earliest comes first and the next is asked only once it is done.
 * `rest`: the forms of the same slot after this one.
 */
function nextForm(state: ParticipantState, isDone: (slot: string, form: FormState) => boolean): { slot: string; form: FormState; step: number; total: number; rest: Queued[] } | null {
  const queue: { slot: string; form: FormState }[] = [
    ...state.enrolment.map((form) => ({ slot: 'enrolment', form })),
    ...state.waves.filter((w) => w.state === 'open').flatMap((w) => w.forms.map((form) => ({ slot: w.kind, form }))),
  ]
  const next = queue.find((q) => !isDone(q.slot, q.form))
  if (!next) return null
  const sameSlot = queue.filter((q) => q.slot === next.slot)
  const step = sameSlot.indexOf(next) + 1
  return { ...next, step, total: sameSlot.length, rest: sameSlot.slice(step).filter((q) => !isDone(q.slot, q.form)) }
}

/** Record the title of each form of `state` in `titles`, by `slot/instrument`. */
function rememberTitles(state: ParticipantState, titles: Map<string, FormState['instrument']['title']>): void {
  for (const f of state.enrolment) titles.set(`enrolment/${f.instrument.id}`, f.instrument.title)
  for (const w of state.waves) for (const f of w.forms) titles.set(`${w.kind}/${f.instrument.id}`, f.instrument.title)
}

/** Where a form stands in its slot: "questionnaire n of m". */
function positionOf(state: ParticipantState, slot: string, instrument: string): { form: FormState; step: number; total: number } | null {
  const forms = slot === 'enrolment' ? state.enrolment : (state.waves.find((w) => w.kind === slot)?.forms ?? [])
  const index = forms.findIndex((f) => f.instrument.id === instrument)
  return index < 0 ? null : { form: forms[index]!, step: index + 1, total: forms.length }
}

/**
 * The state the server put into the page it served for this link (server/routes/client.ts), taken out
 * so that it is read once: a later refresh asks the server again. None when the page came from the
 * service worker's cache, or the link shows nothing.
 */
function takeInlinedState(): ParticipantState | undefined {
  const element = document.getElementById(inlinedStateId)
  if (!element) return undefined
  element.remove()
  try {
    return JSON.parse(element.textContent ?? '') as ParticipantState
  } catch {
    return undefined
  }
}

/** Refusals after which the page reloads the participant's state (see their use in App). */
const reloadingRefusals: ReadonlySet<string> = new Set(['withdrawn', 'link_not_found', 'link_replaced', 'not_found', 'wave_not_open'])

/**
 * Take over what this device kept, unconfirmed, under another link of the same participant (a link
 * the team replaced: device-store.ts), and send it under this link. Only with a state of this link:
 * one the server has just sent, or, offline, the one it kept from an earlier visit (the answers then
 * wait under this link until the connection returns); never for a withdrawn participant (a withdrawn
 * participant's device keeps nothing). Called before the page shows the state: its status must not say
 * "saved" while those answers wait unsent.
 */
async function takeOverOtherLinks(state: ParticipantState, device: DeviceStore | null, outbox: Outbox): Promise<void> {
  if (!device || state.participant.status === 'withdrawn') return
  const taken = await device.takeOver(state.participantKey).catch(() => 0)
  if (taken > 0) await outbox.refresh()
}

/**
 * Load the participant's state, retrying quietly while there is no connection. On the first visit
 * the page already carries it (no second round trip on a slow phone). Offline, the state kept on the
 * device from the last visit is shown, so a link opened once opens again with no connection; the
 * server's state replaces it as soon as it arrives.
 */
function useParticipantState(token: string, device: DeviceStore | null | undefined, outbox: Outbox) {
  const [load, setLoad] = useState<Load>({ kind: 'loading', offline: false })
  const refresh = useCallback(async () => {
    if (device === undefined) return
    const inlined = takeInlinedState()
    if (inlined) {
      void device?.saveState(inlined)
      await takeOverOtherLinks(inlined, device, outbox)
      return setLoad({ kind: 'ready', state: inlined, fromDevice: false })
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await api.p[':token'].$get({ param: { token } }, withTimeout())
        if (response.ok) {
          const state = (await response.json()) as ParticipantState
          void device?.saveState(state)
          await takeOverOtherLinks(state, device, outbox)
          return setLoad({ kind: 'ready', state, fromDevice: false })
        }
        if ((response.status as number) === 404) return setLoad({ kind: 'inactive' })
        // A message link that a newer message's link replaced (server/domain/messaging/invitations.ts).
        if ((response.status as number) === 410) {
          const body = (await response.json().catch(() => null)) as { error?: { details?: { language?: unknown } } } | null
          const studyLanguage = body?.error?.details?.language
          return setLoad({ kind: 'replaced', language: typeof studyLanguage === 'string' ? studyLanguage : null })
        }
      } catch {
        // No connection, or no answer in time: fall through and retry.
      }
      const kept = attempt === 0 ? await device?.loadState() : undefined
      // Offline, the state this link kept says whose it is as well: what waits under a replaced link
      // of theirs is taken over now, so this page does not say "saved" while it waits (found by a review).
      if (kept?.participantKey) await takeOverOtherLinks(kept, device ?? null, outbox)
      setLoad((current) => (current.kind === 'ready' ? current : kept ? { kind: 'ready', state: kept, fromDevice: true } : { kind: 'loading', offline: true }))
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 15000)))
    }
  }, [token, device, outbox])
  useEffect(() => {
    void refresh()
  }, [refresh])
  return { load, setLoad, refresh }
}

export function App({ token }: { token: string }) {
  const [ready, setReady] = useState<Setup | null>(null)
  useEffect(() => {
    void setUp(token).then(setReady)
  }, [token])
  if (!ready) return <Frame title={t('app.title')} content={<Card title={t('app.title')}>{t('loading')}</Card>} />
  return <Journey token={token} outbox={ready.outbox} device={ready.device} />
}

/**
 * The page: the sticky top bar (title, language, progress, save status) over the content. The bar's
 * height is kept in `--topbar-height`, so that whatever the browser scrolls into view (the next
 * question, a focused choice) lands below the bar, not under it (participant.css: scroll-padding-top).
 */
function Frame({ title, status, content, footer }: { title: string; status?: React.ReactNode; content: React.ReactNode; footer?: React.ReactNode }) {
  const topbar = useRef<HTMLElement>(null)
  useLayoutEffect(() => {
    const bar = topbar.current
    if (!bar || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => document.documentElement.style.setProperty('--topbar-height', `${bar.getBoundingClientRect().height}px`))
    observer.observe(bar)
    return () => observer.disconnect()
  }, [])
  return (
    <div className="page">
      <header className="topbar" ref={topbar}>
        <h1>{title}</h1>
        {status}
      </header>
      <main>{content}</main>
      {footer}
    </div>
  )
}

function Journey({ token, outbox, device }: { token: string; outbox: Outbox; device: DeviceStore | null }) {
  useSyncExternalStore(
    (notify) => outbox.subscribe(notify),
    () => outbox.version,
  )
  const status = outbox.status
  const { load, setLoad, refresh } = useParticipantState(token, device, outbox)
  // The title of every form this page has shown, kept once a form leaves the state (taken out of its
  // wave), so that the notice about its refused answers still names it.
  const titles = useRef(new Map<string, FormState['instrument']['title']>())
  if (load.kind === 'ready') rememberTitles(load.state, titles.current)
  // A completed form may have raised a safety flag: the state from the server then carries the
  // study's support text, shown at once.
  const confirmedCompletions = outbox.confirmedCompletions
  useEffect(() => {
    if (confirmedCompletions > 0) void refresh()
  }, [confirmedCompletions, refresh])
  // Answers refused because the participant withdrew on another device, the team revoked or replaced
  // the link, took the questionnaire out of the wave, or the wave closed: the server's state now says
  // so, and the page shows it (the withdrawn, inactive or replaced page, the wave without that
  // questionnaire, or closed) rather than more questions it can no longer store. Found by a review: a
  // closed wave's form stayed on screen, and each answer given to it, or to the wave's next
  // questionnaire, was refused in turn. Its refused answers stay on the device, marked, and go again at
  // the next visit (the team may reopen the wave). On a browser that stores nothing, a replaced link's
  // or a closed wave's refusal does not reload: the answers are only on the open page, and the
  // participant needs to see them, to give them at the new link or show them to the team. Each new
  // such refusal reloads once (a key of them all, not a yes or no: a second one, later, must reload too).
  const standing = outbox.refusals
    .filter((r) => reloadingRefusals.has(r.code) && ((r.code !== 'link_replaced' && r.code !== 'wave_not_open') || outbox.persistent))
    .map((r) => `${r.slot}/${r.instrument}/${r.code}`)
    .join(' ')
  useEffect(() => {
    if (standing !== '') void refresh()
  }, [standing, refresh])
  // Keep the copy on the device as the server now has it, so a reload with no connection opens at
  // the right question with the confirmed answers shown.
  const version = outbox.version
  useEffect(() => {
    if (load.kind === 'ready' && device) void device.saveState(withConfirmed(load.state, outbox))
  }, [load, device, outbox, version])
  // The page speaks the study's language unless the participant chose another for this link.
  const [lang, setLang] = useState<Language>(language())
  const studyLanguage = load.kind === 'ready' ? load.state.study.language : load.kind === 'replaced' ? load.language : null
  useEffect(() => {
    if (studyLanguage && isLanguage(studyLanguage) && !chosenLanguage(token) && studyLanguage !== language()) void applyLanguage(studyLanguage).then(setLang)
  }, [studyLanguage, token])
  const switchLanguage = useCallback(
    (next: Language) => {
      chooseLanguage(token, next)
      void applyLanguage(next).then(setLang)
    },
    [token],
  )
  const [withdrawing, setWithdrawing] = useState(false)
  // Finished here: confirmed by the server, or waiting in the outbox to be submitted.
  const isDone = useCallback(
    (slot: string, form: FormState) => form.response?.status === 'complete' || outbox.isCompletedLocally(slot, form.instrument.id),
    [outbox],
  )
  // Done, as the participant may be told: the server has stored it as complete.
  const isConfirmed = useCallback(
    (slot: string, form: FormState) => form.response?.status === 'complete' || outbox.isConfirmedComplete(slot, form.instrument.id),
    [outbox],
  )

  useEffect(() => {
    const online = () => outbox.online()
    const offline = () => outbox.offline()
    // Back in view: another tab of this link may have left answers on the device meanwhile.
    const visible = () => {
      if (document.visibilityState === 'visible') void outbox.refresh()
    }
    window.addEventListener('online', online)
    window.addEventListener('offline', offline)
    document.addEventListener('visibilitychange', visible)
    window.addEventListener('focus', visible)
    if (outbox.pending()) void outbox.flush()
    return () => {
      window.removeEventListener('online', online)
      window.removeEventListener('offline', offline)
      document.removeEventListener('visibilitychange', visible)
      window.removeEventListener('focus', visible)
    }
  }, [outbox])

  // The outbox tells of the completion itself; the page pauses before the next questionnaire.
  const [paused, setPaused] = useState<{ slot: string; instrument: string } | null>(null)
  const formCompleted = useCallback((slot: string, instrument: string) => setPaused({ slot, instrument }), [])
  // The questions on screen still without an answer, as the form last told.
  const [unanswered, setUnanswered] = useState<{ key: string; count: number } | null>(null)
  const [viewingConsent, setViewingConsent] = useState(false)
  // Stable, so the form's handlers are not re-attached on every render; a new object only when the count changes.
  const formProgressed = useCallback((key: string, count: number) => setUnanswered((current) => (current?.key === key && current.count === count ? current : { key, count })), [])

  const next = load.kind === 'ready' && load.state.consent.decision === 'agree' && !withdrawing && load.state.participant.status !== 'withdrawn' ? nextForm(load.state, isDone) : null
  let content
  if (load.kind === 'loading') content = <Card title={t('app.title')}>{load.offline ? t('loading.offline') : t('loading')}</Card>
  else if (load.kind === 'inactive') content = <Card title={t('link.inactive.title')}>{t('link.inactive.body')}</Card>
  else if (load.kind === 'replaced') content = <Card title={t('link.replaced.title')}>{t('link.replaced.body')}</Card>
  else {
    const state = load.state
    const setState = (next: ParticipantState) => {
      void device?.saveState(next)
      setLoad({ kind: 'ready', state: next, fromDevice: false })
    }
    if (state.participant.status === 'withdrawn') content = <Card title={t('withdrawn.title')}>{t('withdrawn.body')}</Card>
    else if (withdrawing) content = <WithdrawPage token={token} onCancel={() => setWithdrawing(false)} onDone={(s) => (setWithdrawing(false), setState(s))} state={state} />
    else if (state.consent.decision !== 'agree') content = <ConsentPage token={token} state={state} onDecided={setState} />
    else if (viewingConsent && state.consent.agreed && state.consent.decidedAt)
      content = <ConsentCopy agreed={state.consent.agreed} decidedAt={state.consent.decidedAt} timeZone={state.study.timeZone} onBack={() => setViewingConsent(false)} />
    else if (next && paused && !(paused.slot === next.slot && paused.instrument === next.form.instrument.id) && positionOf(state, paused.slot, paused.instrument)) {
      const finished = positionOf(state, paused.slot, paused.instrument)!
      content = (
        <BreakPage
          finished={finished.form}
          confirmed={isConfirmed(paused.slot, finished.form)}
          notStored={outbox.notStored(paused.slot, paused.instrument).length}
          refused={outbox.hasRefused(paused.slot, paused.instrument)}
          persistent={outbox.persistent}
          step={finished.step}
          total={finished.total}
          nextForm={next.form}
          nextQuestions={questionsLeftIn(next.form, { ...outbox.confirmedAnswers(next.slot, next.form.instrument.id), ...outbox.pendingAnswers(next.slot, next.form.instrument.id) })}
          onContinue={() => setPaused(null)}
        />
      )
    } else {
      const wave = next && state.waves.find((w) => w.kind === next.slot)
      // Waves open at the same time (a late start, or the demo): the earliest first, and say why.
      const laterOpen = next && wave ? state.waves.filter((w) => w.kind !== wave.kind && w.state === 'open' && w.forms.some((f) => !isDone(w.kind, f))) : []
      content = next ? (
        <>
          {wave?.closesSoon && (
            <p className="notice closing" role="status" data-testid="closes-soon">
              {t('wave.closesSoon', { closes: formatClosing(wave.closesAt, state.study.timeZone) })}
            </p>
          )}
          {wave && laterOpen.length > 0 && (
            <p className="notice one-wave" data-testid="one-wave">
              {t('waves.oneAtATime', { first: t(`wave.${wave.kind}`), later: laterOpen.map((w) => t(`wave.${w.kind}`)).join(', ') })}
            </p>
          )}
          {/* A questionnaire without a validated translation in the page's language is shown in its own, in its direction. */}
          <div lang={formLanguage(next.form.instrument.languages)} dir={isLanguage(formLanguage(next.form.instrument.languages)) ? languages[formLanguage(next.form.instrument.languages) as Language].dir : 'ltr'}>
            <FormView
              key={`${next.slot}/${next.form.instrument.id}`}
              slot={next.slot}
              form={next.form}
              outbox={outbox}
              onComplete={formCompleted}
              onProgress={formProgressed}
            />
          </div>
        </>
      ) : (
        <DonePage token={token} state={state} isDone={isDone} isConfirmed={isConfirmed} someNotStored={outbox.hasNotStored()} refused={outbox.hasRefused()} />
      )
    }
  }

  // The progress header: the current form's unanswered questions as the form told, then the forms after it.
  let progress: React.ReactNode = null
  if (next && content && !viewingConsent) {
    const key = `${next.slot}/${next.form.instrument.id}`
    const here = unanswered?.key === key ? unanswered.count : questionsLeftIn(next.form, { ...outbox.confirmedAnswers(next.slot, next.form.instrument.id), ...outbox.pendingAnswers(next.slot, next.form.instrument.id) })
    const after = next.rest.reduce((sum, q) => sum + questionCount(q.form), 0)
    const place = next.slot === 'enrolment' ? t('form.enrolment') : `${t(`wave.${next.slot as WaveView['kind']}`)} · ${t('form.step', { current: next.step, total: next.total })}`
    progress = <ProgressHeader place={place} questionsLeft={here + after} />
  }

  // Withdrawal is offered once there is something to withdraw from: after consent.
  const showWithdraw = load.kind === 'ready' && load.state.consent.decision === 'agree' && load.state.participant.status !== 'withdrawn' && !withdrawing
  // A form's title: as this page has shown it, else as kept with its answers on the device (a form
  // taken out of the wave before this visit: found by a review, the notice then gave its id).
  const formTitle = (slot: string, instrument: string): string | undefined => {
    const title = titles.current.get(`${slot}/${instrument}`) ?? outbox.titleOf(slot, instrument)
    return title === undefined ? undefined : localText(title, lang)
  }
  const otherRefusals = outbox.refusals.filter((r) => !(next && r.slot === next.slot && r.instrument === next.form.instrument.id))
  return (
    <Frame
      title={load.kind === 'ready' ? load.state.study.name : t('app.title')}
      status={
        <>
          <LanguageChoice value={lang} onChange={switchLanguage} />
          {progress}
          {load.kind === 'ready' && load.state.consent.decision === 'agree' && load.state.participant.status !== 'withdrawn' && <SaveStatus status={status} kept={outbox.persistent} />}
        </>
      }
      content={
        <>
          {load.kind === 'ready' && load.fromDevice && (
            <p className="card notice" data-testid="from-device">
              {t('offline.fromDevice')}
            </p>
          )}
          {otherRefusals.map((r) =>
            dismissibleRefusals.has(r.code) ? (
              <DismissibleRefusal
                key={`${r.slot}/${r.instrument}/${r.question}`}
                text={dismissibleRefusalText(r, formTitle(r.slot, r.instrument), r.code === 'already_complete' ? outbox.notStored(r.slot, r.instrument).length : outbox.refusedWithForm(r.slot, r.instrument, r.code).length)}
                onDismiss={() => void outbox.dismiss(r)}
              />
            ) : (
              <p className="card refusal" role="alert" key={`${r.slot}/${r.instrument}/${r.question}`} data-testid="refusal">
                {refusalText(r, outbox.persistent)}
              </p>
            ),
          )}
          {load.kind === 'ready' && load.state.safety && load.state.participant.status !== 'withdrawn' && <SafetySupport support={load.state.safety} language={lang} />}
          {/* A new language re-creates the forms, so SurveyJS shows its own texts and direction in it too. */}
          <Fragment key={lang}>{content}</Fragment>
        </>
      }
      footer={
        showWithdraw && (
          <footer>
            {load.state.consent.agreed && !viewingConsent && (
              <button className="link" onClick={() => setViewingConsent(true)} data-testid="consent-copy-link">
                {t('consent.copy.link')}
              </button>
            )}
            <RemindersChoice token={token} state={load.state} onChanged={(reminders) => setLoad({ ...load, state: { ...load.state, reminders } })} />
            <button className="link" onClick={() => setWithdrawing(true)} data-testid="withdraw-link">
              {t('withdraw.link')}
            </button>
          </footer>
        )
      }
    />
  )
}

/**
 * Shown above everything once an answer raised a safety flag: the study's support text in the page's
 * language (or the built-in one, which says to contact local emergency services) and its contact.
 */
function SafetySupport({ support, language }: { support: NonNullable<ParticipantState['safety']>; language: Language }) {
  const own = support.text[language]
  return (
    <section className="card safety-support" role="alert" aria-labelledby="safety-heading" data-testid="safety-support">
      <h2 id="safety-heading">{t('safety.title')}</h2>
      <p className="pre-line">{own ?? t('safety.default')}</p>
      {support.contact && (
        <p>
          {t('safety.contactLabel')} <bdi dir="ltr">{support.contact}</bdi>
        </p>
      )}
      <p className="muted">{t('safety.teamSees')}</p>
    </section>
  )
}

/** Reminders before a wave closes, or none: the participant's own choice (invitations to a new wave still come). */
function RemindersChoice({ token, state, onChanged }: { token: string; state: ParticipantState; onChanged: (reminders: ParticipantState['reminders']) => void }) {
  const [error, setError] = useState<string | null>(null)
  const optedOut = state.reminders?.optedOut ?? false
  const toggle = async () => {
    setError(null)
    try {
      const response = await api.p[':token'].reminders.$put({ param: { token }, json: { optOut: !optedOut } })
      if (!response.ok) return setError(requestErrorText(await errorOf(response)))
      onChanged(await response.json())
    } catch {
      setError(t('reminders.offline'))
    }
  }
  return (
    <p className="reminders" data-testid="reminders">
      {optedOut && <span>{t('reminders.none')} </span>}
      <button className="link" onClick={() => void toggle()} data-testid="reminders-toggle">
        {optedOut ? t('reminders.optIn') : t('reminders.optOut')}
      </button>
      {error && <span role="alert"> {error}</span>}
    </p>
  )
}

/** The page's language, for a participant who reads the other one better. */
function LanguageChoice({ value, onChange }: { value: Language; onChange: (next: Language) => void }) {
  return (
    <label className="language-choice">
      <span>{t('language.label')}</span>{' '}
      <select value={value} onChange={(e) => isLanguage(e.target.value) && onChange(e.target.value)} data-testid="language">
        {Object.entries(languages).map(([code, { name }]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  )
}

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {typeof children === 'string' ? <p>{children}</p> : children}
    </section>
  )
}

/** Consent first: the versioned information sheet and the decision. Declining records only the decision. */
function ConsentPage({ token, state, onDecided }: { token: string; state: ParticipantState; onDecided: (s: ParticipantState) => void }) {
  const [readAgain, setReadAgain] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [model] = useState(() => {
    const model = new Model(state.consent.instrument.survey)
    model.locale = language()
    model.showCompletePage = false
    model.completeText = t('consent.submit')
    applyParticipantTheme(model)
    return model
  })
  useEffect(() => {
    const completing = async (sender: SurveyModel) => {
      setError(null)
      try {
        const response = await api.p[':token'].consent.$post({ param: { token }, json: { version: state.consent.instrument.version, answers: sender.data } })
        if (response.ok) {
          setReadAgain(false)
          onDecided((await response.json()) as ParticipantState)
          return
        }
        setError(requestErrorText(await errorOf(response)))
      } catch {
        setError(t('consent.offline'))
      }
      sender.clear(false, true)
    }
    model.onComplete.add(completing)
    return () => model.onComplete.remove(completing)
  }, [model, token, state.consent.instrument.version, onDecided])

  if (state.consent.decision === 'decline' && !readAgain) {
    return (
      <Card title={t('consent.declined.title')}>
        <p>{t('consent.declined.body')}</p>
        <button className="secondary" onClick={() => setReadAgain(true)}>
          {t('consent.declined.again')}
        </button>
      </Card>
    )
  }
  return (
    <>
      {error && (
        <p className="card" role="alert">
          {error}
        </p>
      )}
      <Survey model={model} />
    </>
  )
}

/**
 * Every open questionnaire is done: say so, show when the next ones open, and, once the researchers
 * have chosen quotations from the participant's interview, ask them to check those.
 */
function DonePage({
  token,
  state,
  isDone,
  isConfirmed,
  someNotStored,
  refused,
}: {
  token: string
  state: ParticipantState
  isDone: (slot: string, form: FormState) => boolean
  isConfirmed: (slot: string, form: FormState) => boolean
  /** Some answers given here were not added (a form submitted elsewhere first): never say they all reached the team. */
  someNotStored: boolean
  /** The server refused some answers given here (they stay on the device, marked): waiting is then not for the connection, and the page never says every answer reached the team. */
  refused: boolean
}) {
  const done = (wave: WaveView) => wave.forms.every((f) => isConfirmed(wave.kind, f))
  // Wave days are days in the study's zone; the closing moment is shown with the zone's name.
  const zone = state.study.timeZone
  // Finished here but not yet stored as complete by the server: never say "done" for those.
  const waiting = [...state.enrolment.map((f) => ['enrolment', f] as const), ...state.waves.flatMap((w) => w.forms.map((f) => [w.kind, f] as const))].some(
    ([slot, f]) => isDone(slot, f) && !isConfirmed(slot, f),
  )
  // The next wave to open, for "what happens next".
  const upcoming = state.waves.filter((w) => w.state === 'upcoming').sort((a, b) => a.opensAt.localeCompare(b.opensAt))[0]
  return (
    <>
      <Card title={waiting ? t('done.waitingTitle') : t('done.title')}>
        <p data-testid="done-body">{waiting ? (refused ? t('done.refused') : t('done.pending')) : state.waves.some((w) => w.state === 'open') ? t('done.body') : state.waves.length > 0 ? t('waves.noneOpen') : t('waves.none')}</p>
        <h3>{t('done.next')}</h3>
        <p data-testid="done-next">
          {!waiting && !someNotStored && !refused && state.waves.some((w) => w.state === 'open') && `${t('done.stored')} `}
          {upcoming ? t('done.nextWave', { wave: t(`wave.${upcoming.kind}`), opens: formatDate(upcoming.opensAt, zone) }) : t('done.noMore')}
        </p>
        {state.waves.length > 0 && (
          <>
            <h3>{t('waves.title')}</h3>
            <ul className="waves" data-testid="waves">
              {state.waves.map((wave) => (
                <li key={wave.kind}>
                  <strong>{t(`wave.${wave.kind}`)}</strong>
                  <div className="when">
                    {done(wave)
                      ? t('wave.complete')
                      : wave.state === 'upcoming'
                        ? t('wave.upcoming', { opens: formatDate(wave.opensAt, zone), closes: formatClosing(wave.closesAt, zone) })
                        : wave.state === 'open'
                          ? t(wave.closesSoon ? 'wave.closesSoon' : 'wave.open', { closes: formatClosing(wave.closesAt, zone) })
                          : t('wave.closed', { closes: formatLastDay(wave.closesAt, zone) })}
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
      {state.feedback && <YourResults feedback={state.feedback} />}
      <InterviewQuotes token={token} />
    </>
  )
}

/** Withdrawal at any time, choosing whether the answers already given are kept or deleted. */
function WithdrawPage({ token, state, onCancel, onDone }: { token: string; state: ParticipantState; onCancel: () => void; onDone: (s: ParticipantState) => void }) {
  const [keepData, setKeepData] = useState<boolean | null>(null)
  const [error, setError] = useState<string | null>(null)
  const submit = async () => {
    if (keepData === null) return
    setError(null)
    try {
      const response = await api.p[':token'].withdraw.$post({ param: { token }, json: { keepData } })
      if (!response.ok) return setError(requestErrorText(await errorOf(response)))
      const { withdrawnAt } = await response.json()
      onDone({ ...state, participant: { ...state.participant, status: 'withdrawn', withdrawnAt } })
    } catch {
      setError(t('withdraw.offline'))
    }
  }
  return (
    <Card title={t('withdraw.title')}>
      <p>{t('withdraw.body')}</p>
      <fieldset>
        <label>
          <input type="radio" name="keep" checked={keepData === true} onChange={() => setKeepData(true)} />
          {t('withdraw.keep')}
        </label>
        <label>
          <input type="radio" name="keep" checked={keepData === false} onChange={() => setKeepData(false)} />
          {t('withdraw.delete')}
        </label>
      </fieldset>
      {error && <p role="alert">{error}</p>}
      <div className="actions">
        <button onClick={submit} disabled={keepData === null}>
          {t('withdraw.confirm')}
        </button>
        <button className="secondary" onClick={onCancel}>
          {t('withdraw.cancel')}
        </button>
      </div>
    </Card>
  )
}

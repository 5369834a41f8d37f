/**
 * The HTTP application. `createApp(deps)` builds it over whatever database and instruments it is
 * given: server/index.ts passes the real ones, tests a fresh in-memory database.
 */
import { Hono } from 'hono'
import { compress } from 'hono/compress'
import { secureHeaders } from 'hono/secure-headers'
import type { Deps } from './domain/deps'
import { ApiError } from './domain/errors'
import { notFound, onError } from './http/on-error'
import { participantRoutes } from './routes/participant'
import { participantByToken, participantState } from './domain/participation/journey'
import { authRoutes } from './routes/auth'
import { reportRoutes } from './routes/reports'
import { exportRoutes } from './routes/exports'
import { interviewRoutes } from './routes/interviews'
import { projectImportPath, qualitativeRoutes } from './routes/qualitative'
import { studyRoutes } from './routes/studies'
import { cohortRoutes } from './routes/cohorts'
import { requireSessionExcept, sessionStartingPaths, staffSession, type StaffEnv } from './http/auth'
import { bodyLimitOf, routePathPattern } from './http/body-limit'
import { noStore } from './http/no-store'
import { clientRoutes } from './routes/client'
import { releaseRoutes } from './routes/releases'
import { accountRoutes } from './routes/accounts'
import { correctionRoutes } from './routes/corrections'
import { safetyRoutes } from './routes/safety'
import { messagingRoutes } from './routes/messaging'
import { studyFormRoutes } from './routes/study-forms'
import { clientInfo, type ClientEnv } from './http/client-info'
import { requestLog } from './http/request-log'
import { createLogger, type Logger } from './logger'

export type AppOptions = {
  /** Folder of the built client (dist/client); without it only the API is served. */
  clientDir?: string
  /** Largest accepted request body, in bytes. */
  maxBodyBytes?: number
  /** BALINT_BASE_URL: participant and password links are built on it; without it (tests), on the request's origin. */
  baseUrl?: string
  /** BALINT_TRUST_PROXY: believe X-Forwarded-For and X-Forwarded-Proto (see server/http/client-info.ts). */
  trustProxy?: boolean
  /** Where request and error logs go; silent under the test runner by default. */
  logger?: Logger
}

/** The .qdpx import's path (routes/qualitative.ts), the one request that carries a whole project, under its own limit. */
const projectUpload = routePathPattern(`/api${projectImportPath}`)

export function createApp(deps: Deps, options: AppOptions = {}) {
  const requestLimit = bodyLimitOf(options.maxBodyBytes ?? 256 * 1024)
  const api = new Hono<StaffEnv>()
    // Personal data and secrets, errors included: never cached (http/no-store.ts).
    .use(noStore())
    // A REFI-QDA project from MAXQDA, NVivo or ATLAS.ti is a ZIP of its transcripts and codings: a real
    // one (200 interviews, 20,000 codings) is over a megabyte, far past what any other request needs.
    // Its route sets its own limit, after the session and the researcher's role are checked: set here,
    // before them, anyone could make the server hold 50 MiB per request (a body without a
    // Content-Length is read whole to be measured).
    .use((c, next) => (projectUpload.test(c.req.path) ? next() : requestLimit(c, next)))
    .get('/health', (c) => c.json({ ok: true }, 200))
    // Participants reach their API through the token in the path; no cookie is read there.
    .route('/p', participantRoutes(deps))
    .use(staffSession(deps))
    // Before any route validates a body: an anonymous caller gets 401, not the route's schema.
    .use(requireSessionExcept([...sessionStartingPaths, '/api/auth/password-link/']))
    .route('/auth', authRoutes(deps))
    .route('/', accountRoutes(deps))
    .route('/', studyRoutes(deps))
    .route('/', cohortRoutes(deps))
    .route('/', reportRoutes(deps))
    .route('/', exportRoutes(deps))
    .route('/', interviewRoutes(deps))
    .route('/', qualitativeRoutes(deps))
    .route('/', releaseRoutes(deps))
    .route('/', correctionRoutes(deps))
    .route('/', safetyRoutes(deps))
    .route('/', messagingRoutes(deps))
    .route('/', studyFormRoutes(deps))

  const logger = options.logger ?? createLogger()
  const app = new Hono<ClientEnv>()
    .use(requestLog(logger))
    .use(clientInfo({ baseUrl: options.baseUrl, trustProxy: options.trustProxy }))
    .use(
      secureHeaders({
        // Pages load nothing from any other origin: no CDN, no web fonts, no analytics.
        contentSecurityPolicy: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // SurveyJS sets inline style attributes.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'self'"],
        },
        // The participant's token is in the page's path: never send it on as a Referer.
        referrerPolicy: 'no-referrer',
      }),
    )
    // Participants are often on phones with a weak connection: every text response is compressed.
    // Inside secureHeaders: compress replaces the response, and over real HTTP (@hono/node-server's
    // Response) headers set on the response it replaced were lost.
    .use(compress())
    .route('/api', api)
    .route(
      '/',
      clientRoutes(options.clientDir, {
        // A link that shows nothing (unknown, revoked, replaced) gets the page alone: its own request
        // for the state then gets the 404 or 410 that the page explains.
        participantState: async (token) => {
          try {
            return await participantState(deps, await participantByToken(deps, token))
          } catch (error) {
            if (!(error instanceof ApiError)) logger.error({ err: error }, 'the participant state for the page could not be read')
            return undefined
          }
        },
      }),
    )

  app.onError((error, c) => onError(error, c, logger))
  app.notFound(notFound)
  return app
}

export type AppType = ReturnType<typeof createApp>

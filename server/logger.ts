/**
 * The server's structured log: one JSON line per event (pino), for the operator's log collector.
 * Nothing personal goes in: no request bodies, answers, passwords, cookies or link tokens (paths are
 * logged with their tokens replaced, see `server/http/request-log.ts`).
 *
 * `BALINT_LOG_LEVEL` sets the level (`info` by default; `silent` under the test runner unless set).
 */
import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

export function createLogger(level = process.env.BALINT_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'balint-outcomes' },
    // A second line of defence, should an object carrying one of these ever be logged. `err.detail`:
    // PostgreSQL's error for a broken constraint quotes the values, "Key (email)=(…) already exists."
    // or "Failing row contains (…)" with a whole row of answers; its message and code say enough.
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'answers', '*.answers', 'req.headers.cookie', 'headers.cookie', 'err.detail', 'err.cause.detail'],
      censor: '[redacted]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}

/** The process's logger. */
export const logger: Logger = createLogger()

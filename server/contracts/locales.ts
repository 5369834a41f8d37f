/**
 * The locale each interface language writes dates and numbers in, for people: Persian digits and the
 * Solar Hijri calendar for Persian (`fa-IR`, `ca-persian`, `nu-arabext`). The participant and staff
 * pages (client/lib/i18n.ts) and the server's emails (server/domain/dates.ts) take it from here, so
 * a Persian date reads the same on a page and in a message. Exports and the API stay ISO.
 */
export const peopleLocales = { en: 'en', fa: 'fa-IR-u-ca-persian-nu-arabext' } as const

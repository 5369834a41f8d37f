/**
 * What the server puts into the participant's page and the page reads back (no imports: the
 * participant's bundle takes it as it is).
 */

/** The id of the `<script type="application/json">` element holding the participant's state inlined into their first visit's page (server/routes/client.ts writes it, client/participant/App.tsx reads it once). */
export const inlinedStateId = 'participant-state'

/** Requests of the study's own forms (issue 17, part 4): choosing the demographics form, adding a choice. */
import { z } from 'zod'

/** `PUT /api/studies/:id/demographics-form`: the loaded demographics form the study asks at enrolment. */
export const chooseDemographicsFormBody = z.strictObject({ instrumentId: z.string().min(1).max(100) })

/**
 * `POST /api/studies/:id/demographics-form/questions/:question/choices`: a choice added to a choice
 * list, with its label in every language the form is shown in, typed by the researcher (never
 * machine-translated), and optionally the value stored in answers and exports.
 */
export const addChoiceBody = z.strictObject({
  /** By default made from the English label: "Psychiatric resident" → "psychiatric_resident". */
  value: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_", starting with a letter (e.g. "psychiatric_resident")')
    .optional(),
  /** `{ "en": "Psychiatric resident", "fa": "دستیار روان‌پزشکی" }` */
  labels: z.record(z.string().regex(/^[a-z]{2}$/, 'a two-letter language code such as "fa"'), z.string().trim().min(1, 'is empty').max(200)),
})
export type AddChoiceBody = z.infer<typeof addChoiceBody>

/** The disclosure-control policy a researcher may set for a study (each threshold at least its floor). */
import { z } from 'zod'

export const disclosurePolicyBody = z.strictObject({
  minN: z.number().int().max(1000),
  orderMinN: z.number().int().max(1000),
  countRedactAtOrBelow: z.number().int().max(1000),
  countRounding: z.number().int().max(1000),
})

/** Comparing a random-intercept fit with nlme::lme's figures (the pooled model's tests). */
import { expect } from 'vitest'
import type { RandomInterceptFit } from '../../server/stats/random-intercept-reml'

/** |actual − expected| within `tolerance`, relative where |expected| > 1. */
export const near = (actual: number | null | undefined, expected: number, tolerance: number) =>
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)))

/** What R gives for a fit: per fixed effect, summary()$tTable and intervals(); VarCorr (τ², σ²); logLik; coef()'s intercepts. */
export type ExpectedFit = {
  fixed: { estimate: number; se: number; df: number; t: number; p: number; lower: number; upper: number }[]
  variances: [number, number]
  logLik?: number
  intercepts: number[]
}

/** Every figure of `fit` near R's to `tolerance` (the log-likelihood, where given, to 1e-10); df exactly. */
export function checkFit(fit: RandomInterceptFit, expected: ExpectedFit, tolerance: number) {
  expected.fixed.forEach((e, k) => {
    const f = fit.fixed[k]!
    near(f.estimate, e.estimate, tolerance)
    near(f.standardError, e.se, tolerance)
    expect(f.df).toBe(e.df)
    near(f.t, e.t, tolerance)
    near(f.p, e.p, tolerance)
    near(f.ci95[0], e.lower, tolerance)
    near(f.ci95[1], e.upper, tolerance)
  })
  near(fit.betweenVariance, expected.variances[0], tolerance)
  near(fit.withinVariance, expected.variances[1], tolerance)
  near(fit.icc, expected.variances[0] / (expected.variances[0] + expected.variances[1]), tolerance)
  if (expected.logLik !== undefined) near(fit.logLik, expected.logLik, 1e-10)
  expected.intercepts.forEach((value, j) => near(fit.groupCoefficients[j]!.intercept, value, tolerance))
}

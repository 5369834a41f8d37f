import tCdf from '@stdlib/stats-base-dists-t-cdf'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import { assertFiniteNumbers } from './assert-finite-numbers'
import { bisectRoot } from './root-find'

export type RandomInterceptFixedEffect = {
  /** 'intercept' or the covariate's name */
  term: string
  estimate: number
  standardError: number
  /** nlme's denominator degrees of freedom (see randomInterceptReml) */
  df: number
  t: number
  /** two-sided p-value of t on df */
  p: number
  ci95: [number, number]
}

export type RandomInterceptFit = {
  /** observations */
  n: number
  /** groups */
  groups: number
  fixed: RandomInterceptFixedEffect[]
  /** between-group variance τ² of the random intercept */
  betweenVariance: number
  /** within-group (residual) variance σ² */
  withinVariance: number
  /** intra-class correlation τ² / (τ² + σ²) */
  icc: number
  /** the REML log-likelihood, as R's logLik(fit) for an lme fit by REML */
  logLik: number
  /** per group, in order of first appearance: its size and its coefficients (fixed + predicted random intercept, R's coef(fit)) */
  groupCoefficients: { group: string; n: number; randomIntercept: number; intercept: number }[]
  /** true when the REML estimate of τ² is on the boundary 0 (nlme then reports a tiny positive value) */
  boundary: boolean
}

/**
 * Linear mixed model with a random intercept per group, fitted by restricted maximum likelihood
 * (REML): y_ij = x_ij'β + u_j + e_ij, u_j ~ N(0, τ²), e_ij ~ N(0, σ²), all independent. The same
 * model as R's `nlme::lme(y ~ x, random = ~ 1 | group, method = "REML")`.
 *
 * In words: for a given ratio λ = τ²/σ² the covariance of group j is σ²·H_j with
 * H_j = I + λ·11', whose inverse is I − λ/(1 + n_jλ)·11'. β̂(λ) is generalized least squares with
 * H⁻¹; σ² is profiled out as σ̂²(λ) = r'H⁻¹r / (N − p). The restricted log-likelihood
 *   ℓ_R(λ) = −½[(N − p)·log(2πσ̂²) + (N − p) + Σ_j log(1 + n_jλ) + log|X'H⁻¹X|]
 * (Harville 1977; Pinheiro & Bates 2000, §2.2.5; the constant nlme's logLik reports) is
 * maximized over λ ≥ 0 by solving dℓ_R/dλ = 0 (its analytic derivative) by bisection on log λ to
 * full double precision, so the estimates are exact to rounding, where nlme stops at its
 * optimizer's tolerance. Every local maximum is found (a scan of log λ over [−40, 40]: the boundary
 * τ² = 0 when the derivative is ≤ 0 at λ → 0, and each root where it turns from + to −) and the
 * largest ℓ_R wins, since with unbalanced groups ℓ_R can have a local maximum at 0 and the global
 * one inside. `boundary` is true when that is τ² = 0.
 *
 * Standard errors are √diag(σ̂²(X'H⁻¹X)⁻¹), the t tests and 95% CIs use nlme's denominator
 * degrees of freedom (Pinheiro & Bates 2000, §2.4.2; nlme's getFixDF): N − G − (number of
 * covariates that vary within groups) for those covariates, G − 1 − (number of covariates constant
 * within every group) for the latter, and for the intercept the larger of the two, where the group
 * level has G (not G − 1) df in an intercept-only model, so max(G, N − G) for `y ~ 1`: with many
 * cohorts of 1–2 members that is G, not N − G. ICC = τ²/(τ² + σ²).
 *
 * References: Harville, D. A. (1977). Maximum likelihood approaches to variance component estimation
 * and to related problems. JASA 72, 320–338. Pinheiro, J. C. & Bates, D. M. (2000). Mixed-Effects
 * Models in S and S-PLUS. Springer.
 *
 * @param y - the outcome, one value per observation
 * @param group - the group of each observation (any labels)
 * @param covariates - named covariates, each one value per observation (none: intercept-only)
 * What can be fitted follows nlme's degrees of freedom, not a rule on N against G + p: `y ~ 1` on
 * cohorts of 1, 1 and 2 observations (N − G = 1 residual df) is fitted, as nlme fits it, with the
 * intercept on max(G, N − G) = 3 df. Where nlme returns a fit all the same but it has no estimate to
 * give, this refuses instead, saying why: a term on 0 denominator df (nlme: DF 0, NaN p and CI), or
 * variances the data cannot separate (nlme: where its optimizer stopped).
 *
 * @throws {RangeError} for unequal lengths, non-finite values, fewer than 2 groups, a covariate
 *   without variation, every group of a single observation (only τ² + σ² is estimable), covariates
 *   constant within every group that leave no between-group degree of freedom (G − 1 − their
 *   number < 1: τ² is then not identifiable, nlme reports df 0 and an arbitrary τ²), covariates
 *   varying within groups that leave no residual degree of freedom (N − G − their number < 1: nlme
 *   reports df 0), no within-group variation at all, or within-group variation that such covariates
 *   explain exactly (the restricted likelihood then grows without bound as σ² → 0)
 * @example
 * // R: library(nlme); d <- data.frame(g = rep(c("A", "B"), c(5, 8)),
 * //      y = c(-4, -7, -2, -5, -9, -1, 0, -3, 2, -2, -4, 1, -1))
 * //    fixef(lme(y ~ 1, random = ~ 1 | g, data = d))   # -3.1556818
 * randomInterceptReml([-4, -7, -2, -5, -9, -1, 0, -3, 2, -2, -4, 1, -1], ['A','A','A','A','A','B','B','B','B','B','B','B','B']).fixed[0].estimate
 * // => -3.15568181...
 */
export function randomInterceptReml(y: number[], group: string[], covariates: Record<string, number[]> = {}): RandomInterceptFit {
  assertFiniteNumbers(y, 'y')
  const n = y.length
  if (group.length !== n) throw new RangeError(`y and group must have the same length (got ${n} and ${group.length}).`)
  const names = Object.keys(covariates)
  for (const name of names) {
    assertFiniteNumbers(covariates[name]!, name)
    if (covariates[name]!.length !== n) throw new RangeError(`Covariate ${name} must have one value per observation.`)
    if (covariates[name]!.every((v) => v === covariates[name]![0])) throw new RangeError(`Covariate ${name} does not vary, so its effect cannot be estimated.`)
  }
  const labels = [...new Set(group)]
  const G = labels.length
  if (G < 2) throw new RangeError(`A random intercept needs at least 2 groups (got ${G}).`)
  const p = 1 + names.length

  const X = y.map((_, i) => [1, ...names.map((name) => covariates[name]![i]!)])
  const members = labels.map((label) => y.flatMap((_, i) => (group[i] === label ? [i] : [])))
  const sizes = members.map((m) => m.length)
  // What can be estimated is decided by the two strata's degrees of freedom (nlme's getFixDF), not by
  // N against G + p: nlme fits `y ~ 1` on cohorts of 1, 1 and 2 (one residual df within C), and so do we.
  // With every group of one observation only τ² + σ² is estimable: β̂ and its SE are ordinary least
  // squares whatever the split, but τ², σ², the ICC and each group's prediction are not; nlme returns
  // the split where its optimizer stops (e.g. 3.507 + 0.493 for three singletons summing to 4), which is
  // not an estimate, so the fit is refused rather than reported half.
  if (sizes.every((size) => size === 1)) {
    throw new RangeError(`Every one of the ${G} groups has a single observation, so the between- and within-group variances cannot be told apart (only their sum is estimable).`)
  }
  // Covariates constant within every group, with the intercept, can span the group means: then the
  // restricted likelihood does not depend on τ² at all (the error contrasts are free of the groups),
  // τ² and every standard error are arbitrary (nlme reports where its optimizer stopped, df 0).
  const outerCovariates = names.filter((name) => members.every((m) => m.every((i) => covariates[name]![i] === covariates[name]![m[0]!])))
  const innerCovariates = names.filter((name) => !outerCovariates.includes(name))
  if (outerCovariates.length > 0 && G - 1 - outerCovariates.length < 1) {
    throw new RangeError(`${outerCovariates.join(', ')} ${outerCovariates.length === 1 ? 'is' : 'are'} constant within every group and there are only ${G} groups: the effect cannot be separated from the between-group variance.`)
  }
  // A covariate that varies within groups takes its df from the residual stratum, N − G − (their
  // number). At 0 nlme still returns a fit, with DF 0, a NaN p-value and NaN CI limits (R warns "NaNs
  // produced"), and the within-group variance has no information left (σ² is where the optimizer
  // stopped): no figure of that fit can be reported.
  const residualDf = n - G - innerCovariates.length
  if (residualDf < 1) {
    throw new RangeError(
      `${innerCovariates.join(', ')} ${innerCovariates.length === 1 ? 'varies' : 'vary'} within groups, but ${n} observations in ${G} groups leave no within-group degrees of freedom for ${innerCovariates.length === 1 ? 'it' : 'them'} (N − G − ${innerCovariates.length} = ${residualDf}): nlme gives 0 denominator degrees of freedom, so no t test, p-value or confidence interval.`,
    )
  }
  const withinVaries = members.some((m) => m.some((i) => y[i] !== y[m[0]!]))
  if (!withinVaries) throw new RangeError('No group has any variation within it, so the within-group variance cannot be estimated (the restricted likelihood grows without bound as it goes to 0).')

  // X'H_j⁻¹X = X_j'X_j − c_j s_j s_j' cancels badly once n_jλ is large (at λ = 1e12 the intercept's
  // N − Σ n_j²λ/(1 + n_jλ) is rounding noise), and the scan below goes there. Split each group into
  // its mean and the deviations from it instead: X_j'H_j⁻¹X_j = W_j + n_j/(1 + n_jλ)·x̄_j x̄_j', with
  // W_j the within-group cross-products (exact algebra, no cancellation).
  const groupSumX = members.map((m) => Array.from({ length: p }, (_, k) => m.reduce((s, i) => s + X[i]![k]!, 0)))
  const groupMeanX = groupSumX.map((sums, j) => sums.map((v) => v / sizes[j]!))
  const groupMeanY = members.map((m) => m.reduce((s, i) => s + y[i]!, 0) / m.length)
  const withinXX = Array.from({ length: p }, () => Array.from({ length: p }, () => 0))
  const withinXY = Array.from({ length: p }, () => 0)
  members.forEach((m, j) => {
    for (const i of m) {
      const dy = y[i]! - groupMeanY[j]!
      for (let a = 0; a < p; a++) {
        const da = X[i]![a]! - groupMeanX[j]![a]!
        withinXY[a]! += da * dy
        for (let c = 0; c < p; c++) withinXX[a]![c]! += da * (X[i]![c]! - groupMeanX[j]![c]!)
      }
    }
  })

  // Variation within groups that the within-group covariates explain exactly leaves σ² nothing: the
  // restricted likelihood then grows without bound as σ² → 0 (nlme stops at σ² ≈ 1e-9). The residual
  // sum of squares of the within-group regression is Σ(y − ȳ_j)² − w'W⁻¹w over those covariates.
  const withinY = members.reduce((s, m, j) => s + m.reduce((t, i) => t + (y[i]! - groupMeanY[j]!) ** 2, 0), 0)
  const inner = innerCovariates.map((name) => 1 + names.indexOf(name))
  const explained = inner.length === 0 ? 0 : quadraticForm(invert(inner.map((a) => inner.map((c) => withinXX[a]![c]!))), inner.map((a) => withinXY[a]!))
  if (withinY - explained <= 1e-10 * withinY) {
    throw new RangeError(`${innerCovariates.join(', ')} ${innerCovariates.length === 1 ? 'accounts' : 'account'} exactly for all the variation within groups, so the within-group variance cannot be estimated.`)
  }

  /** Everything that depends on λ: GLS estimates and the pieces of ℓ_R and of its derivative. */
  const at = (lambda: number) => {
    // Z'H⁻¹ per group: 1'H_j⁻¹ = 1'/(1 + n_jλ)
    const scale = sizes.map((size) => 1 / (1 + size * lambda))
    // X'H⁻¹X and X'H⁻¹y
    const A = withinXX.map((row) => [...row])
    const b = [...withinXY]
    members.forEach((_, j) => {
      const w = sizes[j]! * scale[j]!
      for (let a = 0; a < p; a++) {
        b[a]! += w * groupMeanX[j]![a]! * groupMeanY[j]!
        for (let c = 0; c < p; c++) A[a]![c]! += w * groupMeanX[j]![a]! * groupMeanX[j]![c]!
      }
    })
    const Ainv = invert(A)
    const beta = Ainv.map((row) => row.reduce((s, v, c) => s + v * b[c]!, 0))
    const r = y.map((v, i) => v - X[i]!.reduce((s, x, k) => s + x * beta[k]!, 0))
    const groupSumR = members.map((m) => m.reduce((s, i) => s + r[i]!, 0))
    // r'H⁻¹r = Σ_j [Σ_i (r_ij − r̄_j)² + n_j r̄_j²/(1 + n_jλ)]
    const Q = members.reduce((s, m, j) => {
      const meanR = groupSumR[j]! / m.length
      return s + m.reduce((t, i) => t + (r[i]! - meanR) ** 2, 0) + sizes[j]! * scale[j]! * meanR * meanR
    }, 0)
    const dQ = -members.reduce((s, _, j) => s + (scale[j]! * groupSumR[j]!) ** 2, 0)
    let traceTerm = 0 // tr(A⁻¹ X'H⁻¹ZZ'H⁻¹X)
    members.forEach((_, j) => {
      const v = groupSumX[j]!.map((x) => x * scale[j]!)
      for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) traceTerm += Ainv[a]![c]! * v[a]! * v[c]!
    })
    const derivative = -0.5 * ((n - p) * (dQ / Q) + sizes.reduce((s, size) => s + size / (1 + size * lambda), 0) - traceTerm)
    return { beta, Ainv, A, Q, derivative, r }
  }

  // The restricted likelihood of an unbalanced design can have two local maxima, one of them on the
  // boundary λ = 0 (e.g. cohorts of 1, 1, 2, 2, 2 with attendance: ℓ_R −18.09 at τ² = 0, −17.30 at
  // τ² = 35.7, where nlme ends). So every local maximum is found — the boundary when dℓ/dλ ≤ 0 at
  // λ → 0, and each root where dℓ/dλ turns from positive to negative, scanning θ = log λ from small to
  // large — and the one with the largest ℓ_R is taken.
  const slope = (theta: number) => at(Math.exp(theta)).derivative
  const restrictedLogLik = (lambda: number) => {
    const { Q, A } = at(lambda)
    return -0.5 * ((n - p) * Math.log((2 * Math.PI * Q) / (n - p)) + (n - p) + sizes.reduce((s, size) => s + Math.log(1 + size * lambda), 0) + Math.log(determinant(A)))
  }
  const maxima: number[] = []
  let previous = slope(-40)
  if (previous <= 0) maxima.push(0)
  for (let theta = -40; theta < 40; theta += 0.5) {
    let next: number
    try {
      next = slope(theta + 0.5)
    } catch (error) {
      // Only a safeguard: should X'H⁻¹X become numerically singular far out in λ, the scan ends there.
      if (error instanceof RangeError) break
      throw error
    }
    if (!Number.isFinite(next)) break
    if (previous > 0 && next <= 0) maxima.push(Math.exp(bisectRoot(slope, theta, theta + 0.5, 0)))
    previous = next
  }
  if (maxima.length === 0) throw new RangeError('The between-group variance does not converge: the groups differ without bound relative to the residual variance.')
  let lambda = maxima[0]!
  for (const candidate of maxima.slice(1)) if (restrictedLogLik(candidate) > restrictedLogLik(lambda)) lambda = candidate
  const boundary = lambda === 0

  const fit = at(lambda)
  const withinVariance = fit.Q / (n - p)
  const betweenVariance = lambda * withinVariance
  const logDet = (M: number[][]) => Math.log(determinant(M))
  const logLik = -0.5 * ((n - p) * Math.log(2 * Math.PI * withinVariance) + (n - p) + sizes.reduce((s, size) => s + Math.log(1 + size * lambda), 0) + logDet(fit.A))

  const outer = names.map((name) => outerCovariates.includes(name))
  const outerCount = outer.filter(Boolean).length
  // nlme's getFixDF: the group stratum has G − 1 − outerCount df (G without covariates), the residual
  // stratum N − G − innerCount; a covariate takes its stratum's, the intercept the larger of the two.
  const groupDf = names.length === 0 ? G : G - 1 - outerCount
  const dfOf = (k: number) => (k === 0 ? Math.max(groupDf, residualDf) : outer[k - 1] ? groupDf : residualDf)
  const fixed = fit.beta.map((estimate, k) => {
    const standardError = Math.sqrt(withinVariance * fit.Ainv[k]![k]!)
    const df = dfOf(k)
    const t = estimate / standardError
    const q = tQuantile(0.975, df)
    return { term: k === 0 ? 'intercept' : names[k - 1]!, estimate, standardError, df, t, p: 2 * tCdf(-Math.abs(t), df), ci95: [estimate - q * standardError, estimate + q * standardError] as [number, number] }
  })
  const groupCoefficients = labels.map((label, j) => {
    // BLUP: û_j = λ/(1 + n_jλ) · Σ_i r_ij
    const randomIntercept = (lambda / (1 + sizes[j]! * lambda)) * members[j]!.reduce((s, i) => s + fit.r[i]!, 0)
    return { group: label, n: sizes[j]!, randomIntercept, intercept: fit.beta[0]! + randomIntercept }
  })
  return { n, groups: G, fixed, betweenVariance, withinVariance, icc: betweenVariance / (betweenVariance + withinVariance), logLik, groupCoefficients, boundary }
}

/** v'Mv. */
function quadraticForm(matrix: number[][], v: number[]): number {
  return v.reduce((s, a, i) => s + a * matrix[i]!.reduce((t, m, j) => t + m * v[j]!, 0), 0)
}

/** Inverse of a small symmetric positive-definite matrix by Gauss–Jordan elimination with partial pivoting. */
function invert(matrix: number[][]): number[][] {
  const size = matrix.length
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: size }, (_, j) => (i === j ? 1 : 0))])
  for (let col = 0; col < size; col++) {
    let pivot = col
    for (let row = col + 1; row < size; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row
    if (a[pivot]![col] === 0) throw new RangeError('The fixed-effects design is singular (a covariate is a linear function of others).')
    ;[a[col], a[pivot]] = [a[pivot]!, a[col]!]
    const div = a[col]![col]!
    for (let k = 0; k < 2 * size; k++) a[col]![k]! /= div
    for (let row = 0; row < size; row++) {
      if (row === col) continue
      const factor = a[row]![col]!
      for (let k = 0; k < 2 * size; k++) a[row]![k]! -= factor * a[col]![k]!
    }
  }
  return a.map((row) => row.slice(size))
}

function determinant(matrix: number[][]): number {
  const a = matrix.map((row) => [...row])
  let det = 1
  for (let col = 0; col < a.length; col++) {
    let pivot = col
    for (let row = col + 1; row < a.length; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row
    if (a[pivot]![col] === 0) return 0
    if (pivot !== col) {
      ;[a[col], a[pivot]] = [a[pivot]!, a[col]!]
      det = -det
    }
    det *= a[col]![col]!
    for (let row = col + 1; row < a.length; row++) {
      const factor = a[row]![col]! / a[col]![col]!
      for (let k = col; k < a.length; k++) a[row]![k]! -= factor * a[col]![k]!
    }
  }
  return det
}

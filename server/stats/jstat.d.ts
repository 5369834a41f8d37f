/**
 * The little of jStat that server/stats uses. jStat ships no type declarations; this declares only
 * what we call, so that a typo against the real API is a type error rather than `any`.
 *
 * jStat is a CommonJS module whose `module.exports` is the jStat object itself, so import it as
 * the default export: `import jStat from 'jstat'`. (A named `{ jStat }` import fails at run time
 * under Node's ESM loader.)
 */
declare module 'jstat' {
  const jStat: {
    beta: {
      /** Regularized incomplete beta function I_x(a, b): the Beta(a, b) distribution function at x. */
      cdf(x: number, a: number, b: number): number
    }
    /** log Γ(x) for x > 0 (Lanczos approximation). */
    gammaln(x: number): number
    noncentralt: {
      /** P(T ≤ x) for the noncentral t with `dof` degrees of freedom and noncentrality `ncp`. */
      cdf(x: number, dof: number, ncp: number): number
    }
  }
  export default jStat
}

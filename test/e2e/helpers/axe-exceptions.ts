/**
 * The one list of accessibility findings that the browser tests accept, each with its reason. axe-core
 * (through @axe-core/playwright) checks every participant stage and the staff app's main pages against
 * WCAG 2.0/2.1 A and AA and axe's best practices (test/e2e/accessibility.e2e.ts); anything found that is
 * not listed here fails the test.
 *
 * `target`: a piece of the CSS selector axe reports for the element, so an exception covers that
 * element only, never the whole rule.
 */
export type AxeException = { rule: string; target: string; reason: string }

export const axeExceptions: AxeException[] = []

/** Whether an axe finding (rule and the element's selector) is listed above. */
export function isExcepted(rule: string, target: string): boolean {
  return axeExceptions.some((e) => e.rule === rule && target.includes(e.target))
}

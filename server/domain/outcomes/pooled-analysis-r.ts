/**
 * The pooled report as an R script that reproduces it: the changes (pseudonymous codes only) written
 * into the script, and for every scale `nlme::lme(change ~ 1, random = ~ 1 | cohort)` and
 * `lme(change ~ attended, random = ~ 1 | cohort)` by REML, printing the pooled mean change with its
 * CI, the variances, the ICC, the design effect and each cohort's estimate. Needs R with nlme
 * (a recommended package, shipped with R; Debian: r-cran-nlme).
 */
import { rComment, rString } from './exports'
import type { PooledReport } from './pooled-report'

/** An R numeric or character vector literal. */
const rNumbers = (values: number[]) => `c(${values.map((v) => String(v)).join(', ')})`
const rStrings = (values: string[]) => `c(${values.map(rString).join(', ')})`

/**
 * The script for one pooled report.
 *
 * @example
 * const script = pooledAnalysisScript(await pooledStudyReport(deps, studyId, { from: 'pre', to: 'post' }))
 */
export function pooledAnalysisScript(report: PooledReport): string {
  const rows = report.rows
  return [
    '# pooled-analysis.R: the pooled, nested analysis of several Balint groups of one study,',
    '# written by Balint Outcomes. Run it with:  Rscript pooled-analysis.R',
    '#',
    `# Study:     ${rComment(report.study.name)}`,
    `# Change:    ${report.to} - ${report.from}`,
    `# Generated: ${report.generatedAt}`,
    '#',
    '# Participants are nested in their group (cohort): change is modelled with a random intercept per',
    '# cohort, fitted by REML. nlme stops its optimizer close to, not exactly at, the REML maximum, so',
    '# its figures can differ from the report in the 6th significant digit.',
    '',
    'library(nlme)',
    'options(width = 200)',
    '',
    'changes <- data.frame(',
    `  cohort = ${rStrings(rows.map((r) => r.cohort))},`,
    `  code = ${rStrings(rows.map((r) => r.code))},`,
    `  scale = ${rStrings(rows.map((r) => `${r.instrument}/${r.scale}`))},`,
    `  change = ${rNumbers(rows.map((r) => r.change))},`,
    `  attended = ${rNumbers(rows.map((r) => r.attended))},`,
    '  stringsAsFactors = FALSE',
    ')',
    '',
    'for (s in unique(changes$scale)) {',
    '  d <- changes[changes$scale == s, ]',
    '  cat("\\n====", s, ":", nrow(d), "participants in", length(unique(d$cohort)), "cohorts\\n")',
    '  print(aggregate(change ~ cohort, data = d, FUN = function(x) c(n = length(x), mean = mean(x))))',
    '  fit <- tryCatch(lme(change ~ 1, random = ~ 1 | cohort, data = d, method = "REML"), error = function(e) { cat("not fitted:", conditionMessage(e), "\\n"); NULL })',
    '  if (!is.null(fit)) {',
    '    print(intervals(fit, which = "fixed")$fixed)',
    '    print(summary(fit)$tTable)',
    '    v <- as.numeric(VarCorr(fit)[, "Variance"])',
    '    icc <- v[1] / sum(v)',
    '    m <- nrow(d) / length(unique(d$cohort))',
    '    cat(sprintf("between-cohort variance %.10g, within %.10g, ICC %.10g, design effect %.10g\\n", v[1], v[2], icc, 1 + (m - 1) * icc))',
    '    print(coef(fit))',
    '  }',
    '  fit2 <- tryCatch(lme(change ~ attended, random = ~ 1 | cohort, data = d, method = "REML"), error = function(e) { cat("attendance model not fitted:", conditionMessage(e), "\\n"); NULL })',
    '  if (!is.null(fit2)) print(summary(fit2)$tTable)',
    '}',
    '',
  ].join('\n')
}

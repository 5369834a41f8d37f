/**
 * The pooled report as an R script that reproduces it: the changes (pseudonymous codes only) written
 * into the script, and for every scale `nlme::lme(change ~ 1, random = ~ 1 | cohort)` and
 * `lme(change ~ attended, random = ~ 1 | cohort)` by REML, printing the pooled mean change with its
 * CI, the variances, the ICC, the design effect and each cohort's estimate. Needs R with nlme
 * (a recommended package, shipped with R; Debian: r-cran-nlme).
 *
 * Where the report gives a model's figures as unavailable (its `unavailable.pooled` or
 * `unavailable.attendance`), the script says so in the report's own words and does not print nlme's
 * output for that model. nlme returns a fit for some of those designs all the same — with 0
 * denominator degrees of freedom (NaN p-value and CI, "NaNs produced"), or variances where its
 * optimizer happened to stop — and a researcher comparing the two would otherwise see figures the
 * report withheld. As a second guard, for data edited by hand, a fit with a term on 0 denominator
 * degrees of freedom is not printed either.
 */
import { rComment, rString } from './exports'
import type { PooledReport } from './pooled-report'

/** An R numeric or character vector literal. */
const rNumbers = (values: number[]) => `c(${values.map((v) => String(v)).join(', ')})`
const rStrings = (values: string[]) => (values.length === 0 ? 'character(0)' : `c(${values.map(rString).join(', ')})`)

/**
 * The script for one pooled report.
 *
 * @example
 * const script = pooledAnalysisScript(await pooledStudyReport(deps, studyId, { from: 'pre', to: 'post' }))
 */
export function pooledAnalysisScript(report: PooledReport): string {
  const rows = report.rows
  // The report's reasons, one row per scale and model it could not give.
  const reasons = report.scales.flatMap((s) =>
    (['pooled', 'attendance'] as const).flatMap((model) => (s.unavailable[model] === undefined ? [] : [{ scale: `${s.instrument}/${s.scale}`, model, reason: s.unavailable[model]! }])),
  )
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
    '# What the report gives as unavailable, and why, in its own words: those models are not printed here.',
    'unavailable <- data.frame(',
    `  scale = ${rStrings(reasons.map((r) => r.scale))},`,
    `  model = ${rStrings(reasons.map((r) => r.model))},`,
    `  reason = ${rStrings(reasons.map((r) => r.reason))},`,
    '  stringsAsFactors = FALSE',
    ')',
    'reason_unavailable <- function(s, model) {',
    '  why <- unavailable$reason[unavailable$scale == s & unavailable$model == model]',
    '  if (length(why) == 0) NA_character_ else why[1]',
    '}',
    '# A term with 0 denominator degrees of freedom has no t test, p-value or CI (nlme gives NaN).',
    'zero_df <- function(fit) { tt <- summary(fit)$tTable; rownames(tt)[tt[, "DF"] < 1] }',
    '',
    'for (s in unique(changes$scale)) {',
    '  d <- changes[changes$scale == s, ]',
    '  cat("\\n====", s, ":", nrow(d), "participants in", length(unique(d$cohort)), "cohorts\\n")',
    '  print(aggregate(change ~ cohort, data = d, FUN = function(x) c(n = length(x), mean = mean(x))))',
    '  why <- reason_unavailable(s, "pooled")',
    '  fit <- if (!is.na(why)) { cat("change ~ 1: not available, as in the report:", why, "\\n"); NULL } else',
    '    tryCatch(lme(change ~ 1, random = ~ 1 | cohort, data = d, method = "REML"), error = function(e) { cat("not fitted:", conditionMessage(e), "\\n"); NULL })',
    '  if (!is.null(fit) && length(zero_df(fit)) > 0) {',
    '    cat("change ~ 1: not available: nlme gives 0 denominator degrees of freedom for", zero_df(fit), "so there is no t test, p-value or confidence interval\\n")',
    '    fit <- NULL',
    '  }',
    '  if (!is.null(fit)) {',
    '    print(intervals(fit, which = "fixed")$fixed)',
    '    print(summary(fit)$tTable)',
    '    v <- as.numeric(VarCorr(fit)[, "Variance"])',
    '    icc <- v[1] / sum(v)',
    '    m <- nrow(d) / length(unique(d$cohort))',
    '    cat(sprintf("between-cohort variance %.10g, within %.10g, ICC %.10g, design effect %.10g\\n", v[1], v[2], icc, 1 + (m - 1) * icc))',
    '    print(coef(fit))',
    '  }',
    '  why2 <- reason_unavailable(s, "attendance")',
    '  fit2 <- if (!is.na(why2)) { cat("change ~ attended: not available, as in the report:", why2, "\\n"); NULL } else',
    '    tryCatch(lme(change ~ attended, random = ~ 1 | cohort, data = d, method = "REML"), error = function(e) { cat("attendance model not fitted:", conditionMessage(e), "\\n"); NULL })',
    '  if (!is.null(fit2) && length(zero_df(fit2)) > 0) {',
    '    cat("change ~ attended: not available: nlme gives 0 denominator degrees of freedom for", zero_df(fit2), "so there is no t test, p-value or confidence interval\\n")',
    '    fit2 <- NULL',
    '  }',
    '  if (!is.null(fit2)) print(summary(fit2)$tTable)',
    '}',
    '',
  ].join('\n')
}

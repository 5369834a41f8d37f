/**
 * randomInterceptReml against R 4.2.2's nlme 3.1-162 (Debian r-cran-nlme), fitted with tight
 * tolerances so that nlme's optimizer, not our exact solution, is the limiting factor:
 *
 *   library(nlme); options(digits = 17)
 *   ctl <- lmeControl(tolerance = 1e-14, msTol = 1e-14, niterEM = 0, msMaxIter = 1000, maxIter = 1000, opt = "nlminb")
 *   fit <- lme(change ~ 1, random = ~ 1 | cohort, data = d, method = "REML", control = ctl)
 *   fixef(fit); sqrt(diag(vcov(fit))); summary(fit)$tTable; as.numeric(VarCorr(fit)[, "Variance"])
 *   intervals(fit, which = "fixed")$fixed; logLik(fit); coef(fit)
 *   # and the same with change ~ attended
 *
 * Estimates, standard errors, variances and CIs are compared to nlme to 1e-5 and to the exact REML
 * optimum, computed in R, to 1e-10 (relative where above 1); why not nlme to 1e-8 is said below.
 */
import { describe, expect, it } from 'vitest'
import { randomInterceptReml } from '../../../server/stats/random-intercept-reml'
import { checkFit, near, type ExpectedFit } from '../../helpers/random-intercept'



// d2: cohort = rep(c("A", "B"), c(5, 8))
const d2 = {
  cohort: [...Array(5).fill('A'), ...Array(8).fill('B')] as string[],
  change: [-4, -7, -2, -5, -9, -1, 0, -3, 2, -2, -4, 1, -1],
  attended: [8, 6, 4, 7, 8, 3, 2, 5, 1, 6, 7, 2, 4],
}
// d3: cohort = rep(c("A", "B", "C"), c(4, 7, 5))
const d3 = {
  cohort: [...Array(4).fill('A'), ...Array(7).fill('B'), ...Array(5).fill('C')] as string[],
  change: [-6, -3, -8, -5, -1, 2, -2, 0, -4, 1, -3, -7, -10, -5, -9, -4],
  attended: [7, 5, 8, 6, 3, 6, 4, 2, 7, 1, 5, 8, 8, 6, 7, 5],
}
// d8: sizes c(3, 9, 5, 12, 4, 7, 6, 10), cohorts A–H (simulated in R with set.seed(14), then rounded)
const sizes8 = [3, 9, 5, 12, 4, 7, 6, 10]
const d8 = {
  cohort: sizes8.flatMap((size, j) => Array(size).fill('ABCDEFGH'[j]!)) as string[],
  change: [-3.4, -4.3, 1.2, 1.6, -1.7, 1.5, 2.1, -0.2, -2.7, -5.6, -2.3, 3.4, 1.7, 2.8, -4, 5.5, -0.2, -4, -0.4, 1.2, -2, -2.2, 4.5, -1.2, -0.6, -2.4, 1.1, -4.7, -1.9, -7.1, -3.6, -5, 2.1, -0.4, 1.2, 1, 2.6, 2.2, 1.4, 4.1, -5.2, -1, -1.9, -6, -6.4, 2, 1, -2.4, -2.8, 3.8, -2.8, -2.6, 0, -5.8, 2.7, -2.9],
  attended: [5, 3, 1, 2, 7, 5, 1, 6, 3, 4, 5, 2, 8, 1, 4, 8, 1, 4, 6, 6, 4, 8, 2, 7, 5, 6, 2, 8, 4, 8, 7, 4, 5, 6, 7, 1, 1, 1, 1, 2, 6, 4, 2, 8, 8, 1, 3, 5, 5, 6, 8, 2, 3, 5, 2, 2],
}

/**
 * nlme's optimizer (nlminb on log-scale variance parameters with numerical gradients) stops close to,
 * not at, the REML maximum: even with the tolerances above its estimates are up to 3.5e-6 (relative)
 * from the exact optimum (3 cohorts with attendance: τ² 2.5980442 vs 2.5980533), while its REML
 * log-likelihood agrees to 1e-13, the surface being flat there. So every figure is checked against
 * nlme to 1e-5, and against the exact REML solution computed in R (REML_EXACT below) to 1e-10.
 */
const NLME = 1e-5
const EXACT = 1e-10

describe('randomInterceptReml equals nlme::lme (REML)', () => {
  it('2 cohorts of 5 and 8: change ~ 1', () => {
    checkFit(randomInterceptReml(d2.change, d2.cohort), {
      fixed: [{ estimate: -3.1556818175530155, se: 2.1995535537424429, df: 11, t: -1.4346919683695643, p: 0.17918921590865855, lower: -7.9968665481669596, upper: 1.6855029130609283 }],
      variances: [8.8349998731026318, 5.2000000061482998],
      logLik: -29.420929107167858,
      intercepts: [-5.1636363602827471, -1.1477272748232838],
    }, NLME)
  })

  it('2 cohorts: change ~ attended', () => {
    checkFit(randomInterceptReml(d2.change, d2.cohort, { attended: d2.attended }), {
      fixed: [
        { estimate: 1.96648299836045548, se: 1.36959533410262857, df: 10, t: 1.4358131554594651, p: 0.18158904217700089223, lower: -1.0851655770527324, upper: 5.01813157377364316 },
        { estimate: -0.98957043090686847, se: 0.21176625566214013, df: 10, t: -4.6729372808369734, p: 0.00087688020866394519, lower: -1.4614150526873413, upper: -0.51772580912639576 },
      ],
      variances: [1.07330420347142, 2.1943794037990747],
      logLik: -23.852854432833446,
      intercepts: [1.3735969422115275, 2.559369054509383],
    }, NLME)
  })

  it('3 cohorts of 4, 7 and 5: change ~ 1 and change ~ attended', () => {
    checkFit(randomInterceptReml(d3.change, d3.cohort), {
      fixed: [{ estimate: -4.4567394102439239, se: 1.8310549096487581, df: 13, t: -2.4339736546179478, p: 0.030105570906519628, lower: -8.4124930453114093, upper: -0.50098577517643816 }],
      variances: [9.0472654436049549, 5.1415318668614356],
      logLik: -37.25576033981995,
      intercepts: [-5.3702182307317745, -1.2595635385364479, -6.7404364614635508],
    }, NLME)
    checkFit(randomInterceptReml(d3.change, d3.cohort, { attended: d3.attended }), {
      fixed: [
        { estimate: 0.97687735241218054, se: 1.89791194969554833, df: 12, t: 0.51471162957211236, p: 0.6161025659228858142, lower: -3.1583175531632239, upper: 5.11207225798758458 },
        { estimate: -0.94212113355574811, se: 0.27716903852694635, df: 12, t: -3.39908504414050983, p: 0.0052786281807569741, lower: -1.546020590684789, upper: -0.33822167642670709 },
      ],
      variances: [2.5980441615832595, 3.4520221302472178],
      logLik: -33.409018318344906,
      intercepts: [0.71182962028180863, 2.48266454350247656, -0.26386210654774689],
    }, NLME)
  })

  it('8 cohorts of 3 to 12: change ~ 1 and change ~ attended', () => {
    checkFit(randomInterceptReml(d8.change, d8.cohort), {
      fixed: [{ estimate: -0.94604653452563625, se: 0.60926437083392504, df: 48, t: -1.5527685185837203, p: 0.12704768424349924, lower: -2.1710546551063854, upper: 0.27896158605511279 }],
      variances: [1.6544781683373282, 8.3013114012005484],
      logLik: -141.17235257092693,
      intercepts: [-1.40278110933144573, -0.61685621252808587, 0.10513924213767012, -1.01935007730849936, -2.03457832799038796, 0.61187787865871213, -2.1099897043854634, -1.10183396545759038],
    }, NLME)
    checkFit(randomInterceptReml(d8.change, d8.cohort, { attended: d8.attended }), {
      fixed: [
        { estimate: 1.22132726830178129, se: 0.8405524827092562, df: 47, t: 1.4530053666193663, p: 0.1528667127612640675, lower: -0.46964621508056759, upper: 2.91230075168413016 },
        { estimate: -0.50075465045013956, se: 0.15818207555256719, df: 47, t: -3.1656851681891629, p: 0.0027150816651426227, lower: -0.81897594038510169, upper: -0.18253336051517743 },
      ],
      variances: [0.83892327649054799, 7.41348117662127404],
      logLik: -137.52279586312812,
      intercepts: [0.74339893331931861, 1.36902486922485211, 1.9953421054086653, 1.40325745427517368, 0.71752982362252327, 2.04630232068441842, 0.45930294522937432, 1.03645969464992871],
    }, NLME)
  })

  it('rejects what it cannot fit', () => {
    expect(() => randomInterceptReml([1, 2, 3], ['A', 'A', 'A'])).toThrow(/at least 2 groups/)
    expect(() => randomInterceptReml([1, 2], ['A', 'B'])).toThrow(RangeError)
    expect(() => randomInterceptReml([1, NaN, 3, 4], ['A', 'A', 'B', 'B'])).toThrow(RangeError)
    expect(() => randomInterceptReml([1, 2, 3, 4, 5], ['A', 'A', 'B', 'B', 'B'], { attended: [2, 2, 2, 2, 2] })).toThrow(/does not vary/)
  })
})

/**
 * The exact REML solution in R: the REML score equation (Harville 1977) solved with dense matrices and
 * uniroot on log λ (tol = 1e-15), independent of our group-sum algebra and of nlme's optimizer:
 *
 *   reml_exact <- function(y, X, cohort) {
 *     Z <- model.matrix(~ 0 + factor(cohort, levels = unique(cohort))); ZZ <- Z %*% t(Z); N <- length(y); p <- ncol(X)
 *     parts <- function(lambda) {
 *       Hi <- solve(diag(N) + lambda * ZZ); A <- t(X) %*% Hi %*% X; Ai <- solve(A)
 *       beta <- Ai %*% t(X) %*% Hi %*% y; r <- y - X %*% beta; Q <- as.numeric(t(r) %*% Hi %*% r)
 *       score <- -0.5 * ((N - p) * -as.numeric(t(r) %*% Hi %*% ZZ %*% Hi %*% r) / Q + sum(diag(Hi %*% ZZ)) -
 *                        sum(diag(Ai %*% t(X) %*% Hi %*% ZZ %*% Hi %*% X)))
 *       list(Hi = Hi, Ai = Ai, beta = beta, r = r, Q = Q, score = score)
 *     }
 *     lambda <- exp(uniroot(function(t) parts(exp(t))$score, c(-15, 10), tol = 1e-15)$root)
 *     f <- parts(lambda); s2 <- f$Q / (N - p); se <- sqrt(diag(s2 * f$Ai)); df <- N - ncol(Z) - (p - 1)
 *     # estimates f$beta, se, t = beta/se, p = 2 * pt(-abs(t), df), beta -/+ qt(0.975, df) * se,
 *     # tau2 = lambda * s2, sigma2 = s2, intercepts = beta[1] + lambda * t(Z) %*% f$Hi %*% f$r
 *   }
 *   reml_exact(d$change, cbind(1), d$cohort); reml_exact(d$change, cbind(1, d$attended), d$cohort)
 */
const REML_EXACT: Record<string, ExpectedFit> = {
  d2: {
    fixed: [
      { estimate: -3.1556818181818191, se: 2.1995535680588318, df: 11, t: -1.4346919593173617, p: 0.17918921843135804, lower: -7.9968665803059231, upper: 1.6855029439422844 },
    ],
    variances: [8.8350000000000133, 5.1999999999999975],
    intercepts: [-5.163636363636364, -1.1477272727272738],
  },
  d2attended: {
    fixed: [
      { estimate: 1.9664829688158019, se: 1.3695953541852985, df: 10, t: 1.4358131128340172, p: 0.18158905400879286, lower: -1.0851656513443633, upper: 5.018131588975967 },
      { estimate: -0.98957042575688359, se: 0.21176625603319521, df: 10, t: -4.6729372483298963, p: 0.00087688025201513935, lower: -1.4614150483641186, upper: -0.51772580314964867 },
    ],
    variances: [1.0733043015647514, 2.194379391100703],
    intercepts: [1.3735968927897386, 2.5593690448418704],
  },
  d3: {
    fixed: [
      { estimate: -4.4567394112022543, se: 1.8310549269671679, df: 13, t: -2.4339736321204124, p: 0.030105572177701469, lower: -8.4124930836838896, upper: -0.50098573872061847 },
    ],
    variances: [9.0472656367002102, 5.1415318519115338],
    intercepts: [-5.3702182336067565, -1.25956353278649, -6.7404364672135131],
  },
  d3attended: {
    fixed: [
      { estimate: 0.97687494268104547, se: 1.8979127350726981, df: 12, t: 0.51471014690442396, p: 0.61610357123799631, lower: -3.1583216740841689, upper: 5.1120715594462602 },
      { estimate: -0.94212073714588351, se: 0.27716903131987641, df: 12, t: -3.3990837023152012, p: 0.0052786412690612175, lower: -1.5460201785720682, upper: -0.33822129571969894 },
    ],
    variances: [2.5980533396276821, 3.4520206752673057],
    intercepts: [0.71182682391569507, 2.4826637762688852, -0.2638657721414448],
  },
  d8: {
    fixed: [
      { estimate: -0.94604652059555294, se: 0.60926432298258992, df: 48, t: -1.5527686176736575, p: 0.12704766057182706, lower: -2.1710545449647443, upper: 0.27896150377363849 },
    ],
    variances: [1.654477692017748, 8.3013115825658197],
    intercepts: [-1.4027810120785595, -0.61685624403972128, 0.10513908603102007, -1.0193500665067909, -2.0345781326338157, 0.61187768299890932, -2.1099895338542858, -1.1018339446811807],
  },
  d8attended: {
    fixed: [
      { estimate: 1.2213272729692428, se: 0.84055248090054246, df: 47, t: 1.453005375298815, p: 0.15286671036169874, lower: -0.46964620677444335, upper: 2.912300752712929 },
      { estimate: -0.5007546512101686, se: 0.15818207559857123, df: 47, t: -3.1656851720732613, p: 0.0027150816353348007, lower: -0.81897594123767892, upper: -0.18253336118265834 },
    ],
    variances: [0.83892324921182782, 7.4134811902946387],
    intercepts: [0.74339894964162134, 1.3690248705142942, 1.9953420926126491, 1.4032574558649491, 0.71752984017331523, 2.0463023083833387, 0.45930296508996782, 1.0364597014738068],
  },
}

describe('randomInterceptReml equals the exact REML solution (R, to 1e-10)', () => {
  it('for 2, 3 and 8 cohorts, with and without attendance', () => {
    checkFit(randomInterceptReml(d2.change, d2.cohort), REML_EXACT.d2!, EXACT)
    checkFit(randomInterceptReml(d2.change, d2.cohort, { attended: d2.attended }), REML_EXACT.d2attended!, EXACT)
    checkFit(randomInterceptReml(d3.change, d3.cohort), REML_EXACT.d3!, EXACT)
    checkFit(randomInterceptReml(d3.change, d3.cohort, { attended: d3.attended }), REML_EXACT.d3attended!, EXACT)
    checkFit(randomInterceptReml(d8.change, d8.cohort), REML_EXACT.d8!, EXACT)
    checkFit(randomInterceptReml(d8.change, d8.cohort, { attended: d8.attended }), REML_EXACT.d8attended!, EXACT)
  })
})

/**
 * The study's own forms (issue 17, part 4): which demographics form it asks, the choices it added,
 * and the "Other" texts its participants wrote. Researchers only: program leads never see these.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { addChoiceBody, chooseDemographicsFormBody } from '../contracts/study-forms'
import { requireCohortRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { addChoice, chooseDemographicsForm, studyFormsView } from '../domain/instruments/study-forms'
import { cohortOtherAnswers } from '../domain/outcomes/other-answers'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })
const questionParam = z.object({ id: z.string().min(1).max(64), question: z.string().min(1).max(100) })

export function studyFormRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/studies/:id/demographics-form', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await studyFormsView(deps, study.id), 200)
    })
    .put('/studies/:id/demographics-form', pathParams(idParam), jsonBody(chooseDemographicsFormBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await chooseDemographicsForm(deps, study.id, c.req.valid('json').instrumentId, `staff:${user.id}`), 200)
    })
    .post('/studies/:id/demographics-form/questions/:question/choices', pathParams(questionParam), jsonBody(addChoiceBody), async (c) => {
      const { user } = staffOf(c)
      const params = c.req.valid('param')
      const { study } = await requireStudyRole(deps, user, params.id, ['researcher'])
      return c.json(await addChoice(deps, study.id, params.question, c.req.valid('json'), `staff:${user.id}`), 201)
    })
    .get('/cohorts/:id/table1/other-answers', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await cohortOtherAnswers(deps, cohort.id), 200)
    })
}

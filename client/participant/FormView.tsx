import { useEffect, useState } from 'react'
import { Model, type SurveyModel } from 'survey-core'
import { Survey } from 'survey-react-ui'
import type { FormState } from '../../server/contracts/participant'
import { formLanguage } from './language'
import type { Outbox } from './outbox'

type Props = {
  slot: string
  form: FormState
  outbox: Outbox
  onComplete: (slot: string, instrument: string) => void
}

/** The first question without an answer, so a participant who comes back resumes where they left off. */
function firstUnanswered(model: SurveyModel): string | undefined {
  return model.getAllQuestions(true).find((q) => q.isEmpty())?.name
}

/**
 * One questionnaire, one question per screen (phones first), with a progress bar. Every change goes
 * to the outbox at once; finishing hands the whole answer set to the outbox to submit.
 */
export function FormView({ slot, form, outbox, onComplete }: Props) {
  const id = form.instrument.id
  const serverRevision = form.response?.revision ?? 0
  // Create the model once per form (SurveyJS samples that create it on every render lose answers).
  const [model] = useState(() => {
    const model = new Model(form.instrument.survey)
    model.locale = formLanguage(form.instrument.languages)
    model.questionsOnPageMode = 'questionPerPage'
    model.showProgressBar = true
    model.progressBarLocation = 'top'
    model.progressBarType = 'questions'
    model.textUpdateMode = 'onTyping'
    model.showCompletePage = false
    model.data = outbox.resume(slot, id, form.response && { answers: form.response.answers, revision: form.response.revision })
    const resumeAt = Object.keys(model.data).length > 0 ? firstUnanswered(model) : undefined
    if (resumeAt) model.currentElementName = resumeAt
    return model
  })

  useEffect(() => {
    const changed = (sender: SurveyModel) => outbox.update(slot, id, sender.data, serverRevision)
    const completed = (sender: SurveyModel) => {
      outbox.complete(slot, id, sender.data, serverRevision)
      onComplete(slot, id)
    }
    model.onValueChanged.add(changed)
    model.onComplete.add(completed)
    return () => {
      model.onValueChanged.remove(changed)
      model.onComplete.remove(completed)
    }
  }, [model, outbox, slot, id, serverRevision, onComplete])

  return <Survey model={model} />
}

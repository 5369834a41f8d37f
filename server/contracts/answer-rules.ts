/**
 * One rule for what an answer may be, on both sides: the participant's form checks each answer with
 * the same functions the server's answer schemas are built from (domain/instruments/questions.ts),
 * read from the same instrument file. Pure (zod only), so the participant's bundle can carry it.
 */
export { answerProblem, defaultMaxLength, surveyQuestions, type Question } from '../domain/instruments/questions'

/** SurveyJS's Persian strings register themselves with survey-core when imported; they export nothing we use. */
declare module 'survey-core/i18n/persian'

/**
 * Our look, given to SurveyJS through its own theme (`applyTheme`), so that it reaches SurveyJS's
 * buttons, radio marks and focus rings. Setting the old `--sjs-primary-backcolor` on `:root` does not:
 * SurveyJS 3 draws with `--sjs2-*` variables that it sets on its own root element.
 *
 * Contrast (WCAG 2.1 AA asks 4.5:1 for text): #1f6f5c behind white text 6.0:1, and as text on white
 * 6.0:1; #4d5c61 on white 6.6:1; #1d2a2f on white 14.6:1. Checked by axe in test/e2e/accessibility.e2e.ts.
 */
import { settings, type ITheme, type SurveyModel } from 'survey-core'

export const brand = '#1f6f5c'

export const participantTheme: ITheme = {
  themeName: 'balint',
  colorPalette: 'light',
  isPanelless: false,
  cssVariables: {
    '--sjs2-color-project-brand-600': brand,
    '--sjs2-color-project-brand-700': '#185a4a',
    '--sjs2-color-project-brand-800': '#134a3d',
    '--sjs2-color-fg-brand-on-primary': '#ffffff',
    '--sjs2-color-fg-brand-primary': brand,
    '--sjs2-color-fg-basic-primary': '#1d2a2f',
    // SurveyJS's secondary text is 45 % black on white (3.9:1): too faint for AA.
    '--sjs2-color-fg-basic-secondary': '#4d5c61',
    '--sjs2-color-fg-basic-tertiary': '#4d5c61',
    '--sjs2-color-utility-surface-survey': '#f4f6f5',
  },
}

/**
 * Headings in order under the page's h1 (the study's name): a page's title is an h2, a question's an h3
 * (SurveyJS's own h3/h4/h5 skip levels). Set once, for every form of the bundle.
 */
settings.titleTags.survey = 'h2'
settings.titleTags.page = 'h2'
settings.titleTags.panel = 'h3'
settings.titleTags.question = 'h3'
/** The short pause before a single-choice answer moves on: long enough to see the choice taken. */
settings.autoAdvanceDelay = 450

/** Give a form our theme. */
export function applyParticipantTheme(model: SurveyModel): void {
  model.applyTheme(participantTheme)
}

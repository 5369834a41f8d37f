import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import 'survey-core/survey-core.fontless.css'
import './participant.css'
import { setLanguage } from '../lib/i18n'
import { App } from './App'

setLanguage('en')
// The page is served at /p/<token>; the token is the participant's only credential.
const token = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] ?? '')
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App token={token} />
  </StrictMode>,
)

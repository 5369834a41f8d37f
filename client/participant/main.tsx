import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import 'survey-core/survey-core.fontless.css'
import '../components/typeface.css'
import './participant.css'
import { preferredLanguage } from '../lib/i18n'
import { App } from './App'
import { applyLanguage, chosenLanguage } from './language'

// The page is served at /p/<token>; the token is the participant's only credential.
const token = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] ?? '')
// Open again with no connection: the service worker precaches this page (vite.config.ts). Only the
// participant's pages register it, with scope /p/. Where the browser refuses (site data blocked),
// the page works online as before.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/p/sw.js', { scope: '/p/' }).catch(() => undefined)

// Until the study's language is known: the participant's own choice for this link, else the browser's.
const initial = chosenLanguage(token) ?? preferredLanguage(navigator.languages) ?? 'en'
const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App token={token} />
    </StrictMode>,
  )
// Offline on a first visit in Persian: start in English rather than not at all.
void applyLanguage(initial).catch(() => undefined).finally(render)

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '../components/typeface.css'
import './staff.css'
import { addMessages } from '../lib/i18n'
import { staffEn } from './messages'
import { App } from './App'
import { applyStaffLanguage, staffLanguage } from './language'

addMessages('en', staffEn)
const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
// If the Persian texts cannot be fetched, start in English rather than not at all.
void applyStaffLanguage(staffLanguage()).catch(() => undefined).finally(render)

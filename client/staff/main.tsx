import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './staff.css'
import { addMessages, setLanguage } from '../lib/i18n'
import { staffEn } from './messages'
import { App } from './App'

addMessages('en', staffEn)
setLanguage('en')
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

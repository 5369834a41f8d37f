import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './staff.css'
import { setLanguage } from '../lib/i18n'
import { App } from './App'

setLanguage('en')
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

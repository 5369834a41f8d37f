import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './participant/participant.css'
import { setLanguage, t } from './lib/i18n'

/** The server's front page: what this is, for someone who arrives without a personal link. */
function Home() {
  return (
    <div className="page">
      <main>
        <section className="card">
          <h2>{t('home.title')}</h2>
          <p>{t('home.body')}</p>
        </section>
      </main>
    </div>
  )
}

setLanguage('en')
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Home />
  </StrictMode>,
)

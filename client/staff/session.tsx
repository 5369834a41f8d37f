/**
 * Who is signed in. Loaded once from /api/auth/me when the app starts; the CSRF token that comes with
 * it is handed to the API client, so every state-changing request carries it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { Me } from '../../server/contracts/staff'
import { api, setCsrfToken } from '../lib/api'
import { call } from './request'

type Session = {
  /** undefined while loading; null when nobody is signed in. */
  me: Me | null | undefined
  signedIn: (me: Me) => void
  signedOut: () => void
  refresh: () => Promise<void>
}

const SessionContext = createContext<Session | null>(null)

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const signedIn = useCallback((next: Me) => {
    setCsrfToken(next.csrfToken)
    setMe(next)
  }, [])
  const signedOut = useCallback(() => {
    setCsrfToken(undefined)
    setMe(null)
  }, [])
  const refresh = useCallback(async () => {
    try {
      signedIn(await call(api.auth.me.$get(), { signInPage: true }))
    } catch {
      signedOut()
    }
  }, [signedIn, signedOut])
  useEffect(() => {
    void refresh()
  }, [refresh])
  const value = useMemo(() => ({ me, signedIn, signedOut, refresh }), [me, signedIn, signedOut, refresh])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession needs a SessionProvider')
  return session
}

/** The signed-in user, for pages that are only shown when someone is signed in. */
export function useMe(): Me {
  const { me } = useSession()
  if (!me) throw new Error('useMe is only for signed-in pages')
  return me
}

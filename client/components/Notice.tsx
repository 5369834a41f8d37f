/** A message about the page as a whole: an error (announced at once) or a quiet confirmation. */
export function ErrorNotice({ message, children }: { message?: string | null; children?: React.ReactNode }) {
  if (!message && !children) return null
  return (
    <div className="notice error" role="alert">
      {message && <p>{message}</p>}
      {children}
    </div>
  )
}

export function StatusNotice({ message }: { message?: string | null }) {
  return (
    <p className="notice-status" role="status">
      {message ?? ''}
    </p>
  )
}

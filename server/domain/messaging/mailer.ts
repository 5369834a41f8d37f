/**
 * What the domain needs to send an email. server/mail.ts implements it over SMTP with nodemailer;
 * without an SMTP server (BALINT_SMTP_URL unset) there is no mailer, and scheduled messages wait
 * for the team to send them by hand.
 */
export type Mail = { to: string[]; subject: string; text: string }

export type Mailer = {
  /** Resolves once the SMTP server accepted the message; rejects with the server's reason. */
  send(mail: Mail): Promise<void>
}

/**
 * What the domain needs to send an email. server/mail.ts implements it over SMTP with nodemailer;
 * without an SMTP server (BALINT_SMTP_URL unset) there is no mailer, and scheduled messages wait
 * for the team to send them by hand.
 */
export type Mail = { to: string[]; subject: string; text: string }

export type Mailer = {
  /**
   * Resolves once the SMTP server accepted the message. Rejects with `MailRefused` when the server
   * refused this message or its address for good (trying again would not help); with
   * `MailOutcomeUnknown` when the server had asked for the message and no complete reply to it came
   * (it may have arrived); and with any other error when it could not be reached or asked to try later
   * before it had the message (trying again may).
   */
  send(mail: Mail): Promise<void>
}

/**
 * The SMTP server refused the message or its recipient for good (a 5xx reply to RCPT TO or DATA).
 * Its message is the server's reply with any email address taken out: it is kept in the delivery
 * log, which names no address.
 */
export class MailRefused extends Error {
  constructor(reply: string) {
    super(withoutAddresses(reply))
    this.name = 'MailRefused'
  }
}

/**
 * The message may have been delivered: the SMTP server had said to send it (2xx or 3xx to DATA,
 * usually 354), and then no complete final reply came (the connection timed out, was lost or was
 * ended, or the reply was cut off). RFC 5321 §4.1.1.4:
 * the message is the server's once it replies 250 to the end of the data, and a client that got no
 * reply cannot tell whether it did. Sending it again may deliver it twice.
 */
export class MailOutcomeUnknown extends Error {
  constructor(cause: string) {
    super(withoutAddresses(cause))
    this.name = 'MailOutcomeUnknown'
  }
}

/** A server's reply with the addresses it quotes ("<ada@example.org>: unknown user") replaced. */
export function withoutAddresses(text: string): string {
  return text.replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '<address>')
}

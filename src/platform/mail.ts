import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';

export type Mail = { to: string; subject: string; text: string };

const transports = new Map<string, Transporter>();

function transport(smtpUrl: string): Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    t = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, t);
  }
  return t;
}

/**
 * Sends a message over SMTP when `SMTP_URL` is set; otherwise keeps it, body included, in
 * the outbox that administrators read. With SMTP only the envelope is kept (the body may
 * hold a one-time link).
 */
export async function sendMail(db: Db, config: Config, mail: Mail): Promise<void> {
  if (!config.smtpUrl) {
    await db
      .insertInto('mail_outbox')
      .values({ recipient: mail.to, subject: mail.subject, body: mail.text, status: 'outbox' })
      .execute();
    return;
  }
  let status: 'sent' | 'failed' = 'sent';
  try {
    await transport(config.smtpUrl).sendMail({
      from: config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
  } catch {
    status = 'failed';
  }
  await db
    .insertInto('mail_outbox')
    .values({ recipient: mail.to, subject: mail.subject, body: null, status })
    .execute();
}

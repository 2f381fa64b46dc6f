import type { Transporter } from 'nodemailer';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';

/** A file sent with a message, e.g. an event as `text/calendar; method=PUBLISH`. */
export type MailAttachment = { filename: string; contentType: string; content: string };

export type Mail = {
  to: string;
  subject: string;
  text: string;
  /** The body holds a one-time link (invitation, password reset): the outbox shows it once. */
  oneTime?: boolean;
  /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
  headers?: Record<string, string>;
  attachments?: MailAttachment[];
};

const jsonOrNull = (value: object | undefined) =>
  value && Object.keys(value).length > 0 ? JSON.stringify(value) : null;

const transports = new Map<string, Transporter>();

async function transport(smtpUrl: string): Promise<Transporter> {
  let t = transports.get(smtpUrl);
  if (!t) {
    // Loaded on first use: without SMTP_URL, mail stays in the outbox and nodemailer is never needed.
    const { default: nodemailer } = await import('nodemailer');
    t = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, t);
  }
  return t;
}

/**
 * Sends a message over SMTP when `SMTP_URL` is set; otherwise keeps it, body included, in
 * the outbox that administrators read (a one-time link there is shown once, then masked:
 * see `takeOutbox`). With SMTP only the envelope is kept (the body may hold a one-time link).
 * Headers and attached files are kept with the body, in the outbox only.
 */
export async function sendMail(db: Db, config: Config, mail: Mail): Promise<void> {
  if (!config.smtpUrl) {
    await db
      .insertInto('mail_outbox')
      .values({
        recipient: mail.to,
        subject: mail.subject,
        body: mail.text,
        one_time: mail.oneTime ?? false,
        status: 'outbox',
        headers: jsonOrNull(mail.headers),
        attachments: jsonOrNull(mail.attachments),
      })
      .execute();
    return;
  }
  let status: 'sent' | 'failed' = 'sent';
  try {
    await (await transport(config.smtpUrl)).sendMail({
      from: config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.headers ? { headers: mail.headers } : {}),
      ...(mail.attachments
        ? {
            attachments: mail.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              content: a.content,
            })),
          }
        : {}),
    });
  } catch {
    status = 'failed';
  }
  await db
    .insertInto('mail_outbox')
    .values({ recipient: mail.to, subject: mail.subject, body: null, status })
    .execute();
}

/** What replaces a one-time link in the outbox once an administrator has read it. */
export const MASKED_LINK = '[lien à usage unique masqué après une première lecture]';

/** A one-time token in a link: 256 bits in base64url (see secret-token.ts). */
const ONE_TIME_TOKEN = /\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/**
 * The latest mail of the outbox, for administrators. A one-time link is shown in this
 * reading and masked in the database at once, so that it stays in no later page nor backup.
 */
export async function takeOutbox(db: Db, limit = 100) {
  const rows = await db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(limit).execute();
  for (const row of rows.filter((r) => r.one_time && r.body)) {
    await db
      .updateTable('mail_outbox')
      .set({ body: row.body!.replace(ONE_TIME_TOKEN, `/${MASKED_LINK}`), one_time: false })
      .where('id', '=', row.id)
      .execute();
  }
  return rows;
}

import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { type Mail, type MailAttachment, sendMail } from '../mail.ts';
import { normaliseMobile } from './phone.ts';
import { type SmsSender, smsSenderFor } from './sms.ts';

/** Whom to tell: an email address, a mobile number, or both (then `prefers` chooses). */
export type Recipient = { email?: string | null; phone?: string | null; prefers?: 'email' | 'sms' };

/** What to tell: the email's subject and text, and a shorter text for an SMS when it differs. */
export type Notification = {
  subject: string;
  text: string;
  sms?: string;
  /** Files joined to the email (an event's calendar file…); an SMS goes without them. */
  attachments?: MailAttachment[];
};

/** How it went out: an SMS has the provider's message id (answers and delivery refer to it). */
export type Delivery = { channel: 'email'; to: string } | { channel: 'sms'; to: string; messageId: string };

export type Notifier = {
  /**
   * Sends by SMS when the recipient has a mobile number and no email, or prefers SMS; by email
   * otherwise. Throws when neither is usable, or when the provider refuses the message.
   */
  notify(to: Recipient, message: Notification): Promise<Delivery>;
};

/** The channel for a recipient, or null when they have no usable address nor mobile number. */
export function chooseChannel(to: Recipient): Delivery['channel'] | null {
  const phone = to.phone ? normaliseMobile(to.phone) : null;
  const email = to.email?.trim() || null;
  if (phone && (!email || to.prefers === 'sms')) return 'sms';
  return email ? 'email' : null;
}

/** A notifier over the given means of sending (tests give their own SMS sender). */
export function createNotifier(send: { sms: SmsSender; mail: (mail: Mail) => Promise<void> }): Notifier {
  return {
    async notify(to, message) {
      const channel = chooseChannel(to);
      if (channel === 'sms') {
        const phone = normaliseMobile(to.phone ?? '') as string;
        const { messageId } = await send.sms.send(phone, message.sms ?? message.text);
        return { channel, to: phone, messageId };
      }
      if (channel === 'email') {
        const email = (to.email as string).trim();
        await send.mail({
          to: email,
          subject: message.subject,
          text: message.text,
          ...(message.attachments ? { attachments: message.attachments } : {}),
        });
        return { channel, to: email };
      }
      throw new Error('Notification: the recipient has neither an email address nor a mobile number');
    },
  };
}

/** The configured notifier: mail as `sendMail` sends it, SMS through the configured provider. */
export function notifierFor(db: Db, config: Config): Notifier {
  return createNotifier({ sms: smsSenderFor(db, config), mail: (mail) => sendMail(db, config, mail) });
}

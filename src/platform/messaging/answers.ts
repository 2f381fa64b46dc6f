import type { Db } from '../db/database.ts';
import { normaliseMobile } from './phone.ts';

/** An answer the provider forwards: its own message id, the sender's number and the text. */
export type InboundSms = { from: string; text: string; messageId: string };

/** What the platform itself answers: a replayed message, or no message awaiting an answer. */
export type PlatformSmsResult = 'rejoue' | 'sans_demande';

/**
 * A module that sends SMS awaiting an answer (a mandate's consent, an appointment's
 * confirmation…) handles the answers to them. Handlers are keyed by the purpose of their
 * messages; an answer goes to the one whose message awaits it from that number.
 */
export type SmsAnswerHandler = {
  /** What the awaited answers are about, e.g. `mandat.consentement`. */
  purpose: string;
  /**
   * Handles an answer from a number to which a message of this purpose awaits one, and says
   * what came of it (a short code); undefined when no such message awaits an answer from it.
   * Runs in the platform's transaction, after the replay guard.
   */
  receive(trx: Db, answer: InboundSms, now: Date): Promise<string | undefined>;
  /** Until when each of these numbers has a message of this purpose awaiting its answer. */
  awaiting(db: Db, phones: string[]): Promise<Map<string, Date>>;
  /** What each result code means, in French, for the person who answered in the outbox. */
  results: Record<string, string>;
};

/** Handlers by purpose; two handlers of one purpose is a programming error. */
export function answerRegistry(handlers: SmsAnswerHandler[]): Map<string, SmsAnswerHandler> {
  const registry = new Map<string, SmsAnswerHandler>();
  for (const h of handlers) {
    if (registry.has(h.purpose)) throw new Error(`Two SMS answer handlers for ${h.purpose}`);
    registry.set(h.purpose, h);
  }
  return registry;
}

/**
 * An answer from the provider's authenticated callback (or the development outbox). Each
 * provider message is handled once: a replay changes nothing. The number is normalised, then
 * the answer goes to the purpose whose message awaits it.
 */
export async function receiveSmsAnswer(
  db: Db,
  registry: Map<string, SmsAnswerHandler>,
  sms: InboundSms,
  now = new Date(),
): Promise<string> {
  const answer = { ...sms, from: normaliseMobile(sms.from) ?? sms.from };
  return db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('sms_entrant')
      .values({ message_id: sms.messageId })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!fresh) return 'rejoue' satisfies PlatformSmsResult;
    for (const handler of registry.values()) {
      const result = await handler.receive(trx, answer, now);
      if (result !== undefined) return result;
    }
    return 'sans_demande' satisfies PlatformSmsResult;
  });
}

/** Retention: the replay guard and the development outbox keep thirty days. */
export async function forgetOldSms(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - 30 * 24 * 3600_000);
  const inbound = await db.deleteFrom('sms_entrant').where('received_at', '<', before).executeTakeFirst();
  await db.deleteFrom('sms_outbox').where('created_at', '<', before).execute();
  return Number(inbound.numDeletedRows);
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';

/** What sends an SMS: the configured provider. */
export type SmsSender = { send(to: string, text: string): Promise<{ messageId: string }> };

/** How long the provider has to accept a message before the send counts as failed. */
const SEND_TIMEOUT_MS = 10_000;
/** How far a callback's timestamp may be from our clock, either way (replays are refused apart). */
export const CALLBACK_WINDOW_SECONDS = 5 * 60;

/**
 * The configured SMS provider. `dev` sends nothing: it keeps each message in `sms_outbox`,
 * which administrators read (and answer) at `/admin/sms`. `http` posts
 * `{ "to": "+336…", "text": "…" }` to `SMS_PROVIDER_URL` with the bearer key, and expects
 * `{ "id": "…" }` back; anything else throws, so that the request is cancelled.
 */
export function smsSenderFor(db: Db, config: Pick<Config, 'sms'>): SmsSender {
  if (config.sms.provider === 'dev') {
    return {
      async send(to, text) {
        const { id } = await db
          .insertInto('sms_outbox')
          .values({ telephone: to, texte: text })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { messageId: `dev-${id}` };
      },
    };
  }
  const { url, key } = config.sms;
  return {
    async send(to, text) {
      if (!url || !key) throw new Error('SMS provider: SMS_PROVIDER_URL and SMS_PROVIDER_KEY are required');
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${key}`,
        },
        body: JSON.stringify({ to, text }),
        redirect: 'error',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`SMS provider answered HTTP ${response.status}`);
      }
      const answer = (await response.json().catch(() => null)) as { id?: unknown } | null;
      const id = answer?.id;
      if ((typeof id !== 'string' || id.trim() === '') && !(typeof id === 'number' && Number.isFinite(id)))
        throw new Error('SMS provider: the answer has no message id');
      return { messageId: String(id) };
    },
  };
}

/** The signature of a callback: hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function signCallback(secret: string, timestamp: string | number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/**
 * Whether a callback comes from the provider: `X-Relais-Timestamp` (unix seconds) within
 * five minutes of `now`, and `X-Relais-Signature: sha256=<hex>` the signature of that
 * timestamp and the raw body, compared in constant time. No secret: nothing is trusted.
 */
export function verifyCallback(
  secret: string | undefined,
  timestampHeader: unknown,
  signatureHeader: unknown,
  rawBody: string,
  now = new Date(),
): boolean {
  if (!secret || typeof timestampHeader !== 'string' || typeof signatureHeader !== 'string') return false;
  if (!/^\d{1,12}$/.test(timestampHeader)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestampHeader)) > CALLBACK_WINDOW_SECONDS) return false;
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim())?.[1];
  if (!hex) return false;
  const expected = Buffer.from(signCallback(secret, timestampHeader, rawBody), 'hex');
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

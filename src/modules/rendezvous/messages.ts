import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import {
  chooseChannel,
  type Delivery,
  type Notification,
  notifierFor,
  type Recipient,
} from '../../platform/messaging/index.ts';
import { DEFAULT_SMS_BUDGET } from './vocabulary.ts';

/**
 * Messages about appointments go by email, or by SMS when the person has no email or asked for
 * SMS. SMS count against the collectivité's monthly budget: once it is spent, mail goes instead
 * (and nothing when the person has no email).
 */

const monthOf = (now: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(
    now,
  );

/** A collectivité's monthly SMS budget. */
export async function smsBudget(db: Db, collectiviteId: number): Promise<number> {
  const row = await db
    .selectFrom('rdv_sms_budget')
    .select('budget')
    .where('collectivite_id', '=', collectiviteId)
    .executeTakeFirst();
  return row?.budget ?? DEFAULT_SMS_BUDGET;
}

/** SMS sent this month and the budget, for the collectivité's counters. */
export async function smsCounter(db: Db, collectiviteId: number, now = new Date()) {
  const row = await db
    .selectFrom('rdv_sms_usage')
    .select('sent')
    .where('collectivite_id', '=', collectiviteId)
    .where('mois', '=', monthOf(now))
    .executeTakeFirst();
  return { sent: row?.sent ?? 0, budget: await smsBudget(db, collectiviteId) };
}

/** Counts one SMS against this month's budget; false when the budget is spent. */
async function takeSms(db: Db, collectiviteId: number, now: Date): Promise<boolean> {
  const budget = await smsBudget(db, collectiviteId);
  if (budget <= 0) return false;
  const row = await sql<{ sent: number }>`
    insert into rdv_sms_usage (collectivite_id, mois, sent) values (${collectiviteId}, ${monthOf(now)}, 1)
    on conflict (collectivite_id, mois) do update set sent = rdv_sms_usage.sent + 1
    where rdv_sms_usage.sent < ${budget}
    returning sent`.execute(db);
  return row.rows.length > 0;
}

/** Sends a message about an appointment; null when it could not go (no channel left, provider down). */
export async function deliver(
  db: Db,
  config: Config,
  collectiviteId: number,
  to: Recipient,
  message: Notification,
  now = new Date(),
): Promise<Delivery | null> {
  let recipient = to;
  if (chooseChannel(to) === 'sms' && !(await takeSms(db, collectiviteId, now))) {
    if (!to.email) return null;
    recipient = { email: to.email, prefers: 'email' };
  }
  if (chooseChannel(recipient) === null) return null;
  try {
    return await notifierFor(db, config).notify(recipient, message);
  } catch {
    return null;
  }
}

/** A collectivité's coordinators set its monthly SMS budget (0: reminders go by mail only). */
export async function setSmsBudget(
  db: Db,
  actor: Actor,
  collectiviteId: number,
  budget: number,
): Promise<boolean> {
  if (!can(actor, 'appointments.oversee', { collectiviteId })) return false;
  await db
    .insertInto('rdv_sms_budget')
    .values({ collectivite_id: collectiviteId, budget })
    .onConflict((oc) => oc.column('collectivite_id').doUpdateSet({ budget, updated_at: new Date() }))
    .execute();
  await audit(db, { actor, action: 'appointment.sms_budget', collectiviteId, details: { budget } });
  return true;
}

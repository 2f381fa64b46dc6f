import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { smsSenderFor } from '../../platform/messaging/index.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { reminderMail, tell } from './mail.ts';
import { expireOffers, findSession } from './service.ts';

/**
 * Reminders 7 days and 1 day before the first half-day, to the people registered: each sent
 * once (`reminded_7_at`, `reminded_1_at`), whatever the number of runs.
 */
export async function sendReminders(db: Db, config: Config, now = new Date()): Promise<number> {
  let sent = 0;
  for (const [days, column] of [
    [7, 'reminded_7_at'],
    [1, 'reminded_1_at'],
  ] as const) {
    const due = await db
      .selectFrom('formation_inscription as i')
      .innerJoin('formation_session as s', 's.id', 'i.session_id')
      .select(['i.id', 'i.user_id', 'i.session_id', 'i.telephone_rappel'])
      .where('i.status', '=', 'inscrit')
      .where('s.status', '=', 'active')
      .where(`i.${column}`, 'is', null)
      .where(
        sql<boolean>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)
          between ${now} and ${new Date(now.getTime() + days * 86_400_000)}`,
      )
      .limit(1000)
      .execute();
    for (const r of due) {
      const claimed = await db
        .updateTable('formation_inscription')
        .set({ [column]: now })
        .where('id', '=', r.id)
        .where(column, 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!claimed) continue;
      // A 7-day reminder not sent in time is not followed by a second one the same day.
      if (days === 7) {
        const session = await findSession(db, r.session_id);
        const first = session?.halfDays[0]?.starts_at;
        if (!session || !first || first.getTime() - now.getTime() < 86_400_000) continue;
        await tell(db, config, r.user_id, reminderMail(config, session, 7));
        await textReminder(db, config, r.telephone_rappel, session, 7);
      } else {
        const session = await findSession(db, r.session_id);
        if (!session) continue;
        await tell(db, config, r.user_id, reminderMail(config, session, 1));
        await textReminder(db, config, r.telephone_rappel, session, 1);
      }
      sent++;
    }
  }
  return sent;
}

/**
 * The SMS reminder, when the learner gave a mobile number: short, with the first half-day. A
 * provider's refusal is logged and does not stop the other reminders (the mail went out).
 */
async function textReminder(
  db: Db,
  config: Config,
  phone: string | null,
  session: NonNullable<Awaited<ReturnType<typeof findSession>>>,
  days: number,
) {
  if (!phone) return;
  const first = session.halfDays[0];
  if (!first) return;
  const text = `Rappel : formation « ${session.titre.slice(0, 60)} » ${days === 1 ? 'demain' : `dans ${days} jours`}, ${formatDateTime(first.starts_at)}${session.lieu_libelle ? `, ${session.lieu_libelle.slice(0, 60)}` : ''}. Empêché ? Annulez sur ${config.publicUrl}/formations/mes-inscriptions`;
  try {
    await smsSenderFor(db, config).send(phone, text);
  } catch (error) {
    console.error(`formations: SMS reminder not sent (${(error as Error).message})`);
  }
}

/** Mobile numbers are kept for the reminders only: erased once the last half-day is over. */
export async function forgetPhones(db: Db, now = new Date()): Promise<number> {
  const rows = await db
    .updateTable('formation_inscription')
    .set({ telephone_rappel: null })
    .where('telephone_rappel', 'is not', null)
    .where(
      sql<boolean>`(status = 'annule' or (select max(d.ends_at) from formation_demi_journee d where d.session_id = formation_inscription.session_id) < ${now})`,
    )
    .returning('id')
    .execute();
  return rows.length;
}

export async function runTrainingTimers(db: Db, config: Config, now = new Date()) {
  const expired = await expireOffers(db, config, now);
  const reminders = await sendReminders(db, config, now);
  const phones = await forgetPhones(db, now);
  return {
    'places proposées expirées': expired,
    'rappels envoyés': reminders,
    'numéros de mobile effacés': phones,
  };
}

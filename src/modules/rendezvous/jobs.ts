import { audit } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { manageUrl, whereText } from './booking.ts';
import { linkSecret, signLink } from './link.ts';
import { deliver } from './messages.ts';
import { REMINDER_HOURS, RETENTION_MONTHS, SECOND_REMINDER_HOURS } from './vocabulary.ts';

/**
 * Scheduled work: reminders 48 h before (and 24 h before for those who asked), each sent once
 * whatever how often the job runs; and the erasure of appointments two years old.
 */

type Kind = '48h' | '24h';

async function remind(
  db: Db,
  config: Config,
  kind: Kind,
  now: Date,
): Promise<{ sent: number; failed: number }> {
  const hours = kind === '48h' ? REMINDER_HOURS : SECOND_REMINDER_HOURS;
  const column = kind === '48h' ? 'reminded_48_at' : 'reminded_24_at';
  const due = await db
    .selectFrom('rdv_participant as p')
    .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select([
      'p.id',
      'p.prenom',
      'p.telephone',
      'p.email',
      'p.sms_prefere',
      'p.link_version',
      'p.collectivite_id',
      'r.starts_at',
      'r.lieu_id',
      'm.nom as motif_nom',
      'm.collectif',
      'm.location_type',
    ])
    .where('p.status', '=', 'a_venir')
    .where(`p.${column}`, 'is', null)
    .$if(kind === '24h', (q) => q.where('p.rappel_24h', '=', true))
    .where('r.libere_at', 'is', null)
    .where('r.starts_at', '>', now)
    .where('r.starts_at', '<=', new Date(now.getTime() + hours * 3600_000))
    .orderBy('r.starts_at')
    .limit(1000)
    .execute();
  const secret = await linkSecret(db);
  let sent = 0;
  let failed = 0;
  for (const p of due) {
    // Claimed before sending: a run that overlaps another never sends twice.
    const claimed = await db
      .updateTable('rdv_participant')
      .set({ [column]: now })
      .where('id', '=', p.id)
      .where(column, 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!claimed) continue;
    const when = formatDateTime(p.starts_at);
    const where = await whereText(db, p);
    const what = p.collectif ? `l’atelier « ${p.motif_nom} »` : `votre rendez-vous « ${p.motif_nom} »`;
    const link = manageUrl(config, signLink(secret, p.id, p.link_version, p.starts_at));
    const delivery = await deliver(
      db,
      config,
      p.collectivite_id,
      { email: p.email, phone: p.telephone, prefers: p.sms_prefere ? 'sms' : 'email' },
      {
        subject: `Rappel : ${p.collectif ? `atelier « ${p.motif_nom} »` : p.motif_nom}, le ${when}`,
        text: [
          `Bonjour ${p.prenom},`,
          '',
          `Nous vous rappelons ${what} : le ${when}.`,
          `Lieu : ${where}.`,
          '',
          `Si vous ne pouvez pas venir, prévenez-nous : ${link}`,
        ].join('\n'),
        sms: `Rappel : ${p.collectif ? `atelier « ${p.motif_nom} »` : `RDV ${p.motif_nom}`} le ${when}, ${where}. Empêché ? ${link}`,
      },
      now,
    );
    if (delivery) sent++;
    else failed++;
  }
  return { sent, failed };
}

/** Sends the reminders that are due at `now`. */
export async function sendReminders(db: Db, config: Config, now = new Date()) {
  const first = await remind(db, config, '48h', now);
  const second = await remind(db, config, '24h', now);
  const result = {
    'rappels envoyés': first.sent + second.sent,
    'rappels non envoyés': first.failed + second.failed,
  };
  if (first.sent + second.sent + first.failed + second.failed > 0)
    await audit(db, { actor: systemActor('tâche planifiée'), action: 'appointment.remind', details: result });
  return result;
}

/** Erases appointments (and their people) that ended more than two years ago. */
export async function purgeOldAppointments(db: Db, now = new Date()): Promise<number> {
  const limit = new Date(now);
  limit.setMonth(limit.getMonth() - RETENTION_MONTHS);
  const rows = await db.deleteFrom('rdv').where('ends_at', '<', limit).returning('id').execute();
  await db.deleteFrom('rdv_absence').where('fin', '<', limit).execute();
  if (rows.length > 0)
    await audit(db, {
      actor: systemActor('tâche planifiée'),
      action: 'appointment.purge',
      details: { 'rendez-vous': rows.length, avant: limit.toISOString() },
    });
  return rows.length;
}

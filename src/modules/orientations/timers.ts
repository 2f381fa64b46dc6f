import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ForbiddenError, isAdmin, systemActor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import { daysBefore } from '../../platform/paris-time.ts';
import { getOrCreateSetting } from '../../platform/settings.ts';
import { mailLink } from './answer-mail.ts';
import { closeWhenReceived } from './loop.ts';
import { type Referral, shortNameOf } from './referral.ts';
import { RETENTION_MONTHS } from './vocabulary.ts';

/**
 * The referrals' timers, settings of the OPSN: a reminder to the receiving place every
 * `reminderDays` while it has not answered; after `escalateAfter` reminders, its collectivité's
 * coordinators are alerted; unanswered referrals expire after `expiryDays`, those under study
 * `studyExpiryDays` after being put under study. Every function takes the time (`now`), so that
 * tests move the clock instead of waiting.
 */
export type Timers = {
  reminderDays: number;
  escalateAfter: number;
  expiryDays: number;
  studyExpiryDays: number;
  /** Months after sending when the person's data is erased (at most `RETENTION_MONTHS`). */
  retentionMonths: number;
};

export const DEFAULT_TIMERS: Timers = {
  reminderDays: 10,
  escalateAfter: 2,
  expiryDays: 30,
  studyExpiryDays: 60,
  retentionMonths: RETENTION_MONTHS,
};

const days = (label: string, max: number) =>
  z.coerce
    .number({ error: `${label} : un nombre de jours.` })
    .int(`${label} : un nombre entier de jours.`)
    .min(1, `${label} : 1 jour au moins.`)
    .max(max, `${label} : ${max} jours au plus.`);

export const timerFields = z
  .object({
    reminderDays: days('Relance', 90),
    escalateAfter: z.coerce
      .number({ error: 'Alerte : un nombre de relances.' })
      .int('Alerte : un nombre entier de relances.')
      .min(1, 'Alerte : après 1 relance au moins.')
      .max(10, 'Alerte : après 10 relances au plus.'),
    expiryDays: days('Expiration sans réponse', 365),
    studyExpiryDays: days('Expiration à l’étude', 365),
    // Settings saved before this one existed read as the default.
    retentionMonths: z.coerce
      .number({ error: 'Conservation : un nombre de mois.' })
      .int('Conservation : un nombre entier de mois.')
      .min(1, 'Conservation : 1 mois au moins.')
      .max(RETENTION_MONTHS, `Conservation : ${RETENTION_MONTHS} mois au plus.`)
      .default(RETENTION_MONTHS),
  })
  .refine((t) => t.studyExpiryDays >= t.expiryDays, {
    path: ['studyExpiryDays'],
    message: 'Expiration à l’étude : au moins autant de jours que sans réponse.',
  });

const KEY = 'orientation_timers';

/** The OPSN's timers (the defaults until an administrator changes them). */
export async function readTimers(db: Db): Promise<Timers> {
  const stored = await getOrCreateSetting(db, KEY, () => JSON.stringify(DEFAULT_TIMERS));
  const parsed = timerFields.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : DEFAULT_TIMERS;
}

/** Changes the timers (administrators of the OPSN only), journaled with the old and new values. */
export async function saveTimers(db: Db, actor: Actor, timers: Timers): Promise<void> {
  if (!isAdmin(actor)) throw new ForbiddenError();
  const before = await readTimers(db);
  await db
    .updateTable('platform_setting')
    .set({ value: JSON.stringify(timers) })
    .where('key', '=', KEY)
    .execute();
  await audit(db, { actor, action: 'orientation.settings', details: { avant: before, apres: timers } });
}

const JOB_ACTOR = systemActor('tâche planifiée');

export type TimerRun = { expirees: number; relances: number; alertes: number; honorees: number };

/**
 * One pass of the timers at `now`: expiries first (an expired referral gets no reminder), then
 * reminders (each with a fresh link: the previous one may have lapsed), then alerts, then the
 * accepted referrals whose person the receiving side has since recorded an activity for (loop.ts). Each change is
 * one conditional UPDATE, so a referral answered meanwhile is left alone: of an answer and an
 * expiry, exactly one wins.
 */
export async function runReferralTimers(db: Db, config: Config, now: Date = new Date()): Promise<TimerRun> {
  const timers = await readTimers(db);
  const expired = await db
    .updateTable('orientation')
    .set({ status: 'expiree', closed_at: now, updated_at: now })
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'envoyee'), eb('created_at', '<=', daysBefore(now, timers.expiryDays))]),
        eb.and([
          eb('status', '=', 'a_l_etude'),
          eb('studied_at', '<=', daysBefore(now, timers.studyExpiryDays)),
        ]),
      ]),
    )
    .returningAll()
    .execute();
  for (const r of expired) {
    await audit(db, {
      actor: JOB_ACTOR,
      action: 'orientation.expire',
      collectiviteId: r.collectivite_id,
      subject: { type: 'orientation', id: r.id },
    });
    await sendMail(db, config, {
      to: r.sender_email,
      subject: `Orientation expirée : ${shortNameOf(r)} vers « ${r.service} »`,
      text: `${r.destination_name} n’a pas répondu à temps à votre orientation de ${shortNameOf(r)} : elle est expirée. Vous pouvez orienter la personne vers un autre lieu.\n\n${config.publicUrl}/orientations/${r.id}`,
    });
  }

  const due = await db
    .updateTable('orientation')
    .set((eb) => ({
      reminders: eb('reminders', '+', 1),
      reminded_at: now,
      link_version: eb('link_version', '+', 1),
      link_sent_at: now,
    }))
    .where('status', 'in', ['envoyee', 'a_l_etude'])
    .where(sql<boolean>`coalesce(reminded_at, created_at) <= ${daysBefore(now, timers.reminderDays)}`)
    .returningAll()
    .execute();
  for (const r of due) {
    await audit(db, {
      actor: JOB_ACTOR,
      action: 'orientation.remind',
      collectiviteId: r.destination_collectivite_id,
      subject: { type: 'orientation', id: r.id },
      details: { relance: r.reminders },
    });
    await mailLink(db, config, r, r.link_version, now, r.reminders);
  }

  const toAlert = await db
    .updateTable('orientation')
    .set({ escalated_at: now })
    .where('status', 'in', ['envoyee', 'a_l_etude'])
    .where('reminders', '>=', timers.escalateAfter)
    .where('escalated_at', 'is', null)
    .returningAll()
    .execute();
  for (const r of toAlert) await escalate(db, config, r);
  const honoured = await closeWhenReceived(db, now);
  return { expirees: expired.length, relances: due.length, alertes: toAlert.length, honorees: honoured };
}

/** Tells the coordinators of the receiving place's collectivité (the OPSN's administrators for its own places). */
async function escalate(db: Db, config: Config, r: Referral): Promise<void> {
  let people = db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select('u.email')
    .distinct()
    .where('u.status', '=', 'active');
  people =
    r.destination_collectivite_id === null
      ? people.where('m.role', '=', 'admin')
      : people
          .where('m.role', '=', 'coordinateur')
          .where('m.collectivite_id', '=', r.destination_collectivite_id);
  const emails = (await people.execute()).map((p) => p.email);
  await audit(db, {
    actor: JOB_ACTOR,
    action: 'orientation.escalate',
    collectiviteId: r.destination_collectivite_id,
    subject: { type: 'orientation', id: r.id },
    details: { relances: r.reminders, destinataires: emails.length },
  });
  for (const to of emails)
    await sendMail(db, config, {
      to,
      subject: `Orientation sans réponse : ${r.destination_name}`,
      text: [
        `${r.destination_name} n’a pas répondu à une orientation envoyée le ${r.created_at.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })} par ${r.sender_name}, malgré ${r.reminders} relances à ${r.destination_email}.`,
        'Pouvez-vous contacter le lieu pour qu’il réponde, ou vérifier son adresse de contact dans l’annuaire ?',
      ].join('\n'),
    });
}

/** What replaces the reason once the personal data is erased. */
export const ERASED_REASON = '(effacé)';

/**
 * Retention: once its `erase_after` has passed (the retention read to the person when it was
 * sent), or the OPSN's `retentionMonths` after it was sent if that is now shorter, a referral
 * keeps only what the statistics need (dates, states, place, service, refusal reasons): the
 * person's names, contact details, the reason and the answer's message are erased, and the link
 * to their record cut. Journaled once per run with the count.
 */
export async function eraseOldReferrals(db: Db, now: Date = new Date()): Promise<number> {
  const { retentionMonths } = await readTimers(db);
  const limit = new Date(now);
  limit.setMonth(limit.getMonth() - retentionMonths);
  const erased = await db
    .updateTable('orientation')
    .set({
      prenom: '',
      nom: '',
      telephone: null,
      email: null,
      contact_autre: null,
      motif: ERASED_REASON,
      answer_message: null,
      beneficiaire_id: null,
      updated_at: now,
    })
    .where((eb) => eb.or([eb('erase_after', '<=', now), eb('created_at', '<', limit)]))
    .where('motif', '<>', ERASED_REASON)
    .returning('id')
    .execute();
  if (erased.length > 0)
    await audit(db, {
      actor: JOB_ACTOR,
      action: 'orientation.purge',
      details: { orientations: erased.length },
    });
  return erased.length;
}

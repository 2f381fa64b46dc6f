import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { sendMail } from '../../platform/mail.ts';
import { forgetOldSms } from '../../platform/messaging/index.ts';
import { formatDate } from '../../platform/paris-time.ts';
import { expirePendingConsents } from './creation.ts';
import { lastActivity, withdrawHabilitation } from './habilitation.ts';
import {
  CANCELLED_RETENTION_MONTHS,
  HABILITATION_WARN_MONTHS,
  HABILITATION_WITHDRAW_MONTHS,
  RETENTION_YEARS,
} from './vocabulary.ts';

const JOB_ACTOR = systemActor('tâche planifiée');

/** The same day `months` earlier, or that month's last day (31 July − 5 months: 28 or 29 February). */
const monthsBefore = (now: Date, months: number) => {
  const d = new Date(now);
  const day = d.getDate();
  d.setDate(1);
  d.setMonth(d.getMonth() - months);
  d.setDate(Math.min(day, new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate()));
  return d;
};

const frenchDay = (d: Date) => formatDate(d, 'short');

/** Active mandates past their end become expired, each journaled. */
export async function expireMandates(db: Db, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('mandat')
      .set({ status: 'expire', closed_at: sql`fin`, motif_fermeture: 'arrivé à échéance' })
      .where('status', '=', 'actif')
      .where('fin', '<=', now)
      .returning(['id', 'collectivite_id', 'fin'])
      .execute();
    for (const m of ended)
      await audit(trx, {
        actor: JOB_ACTOR,
        action: 'mandat.expire',
        collectiviteId: m.collectivite_id,
        subject: { type: 'mandat', id: m.id },
        details: { fin: m.fin?.toISOString() },
      });
    return ended.length;
  });
}

/**
 * Retention: a mandate and its attestation are kept six years after their end (expiry or
 * revocation); a request the person never accepted, three months. Drafts last a day and the
 * replay guard of inbound SMS thirty days.
 */
export async function purgeMandates(db: Db, now = new Date()): Promise<Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .deleteFrom('mandat')
      .where((eb) =>
        eb.or([
          eb.and([
            eb('status', 'in', ['expire', 'revoque']),
            eb('closed_at', '<', monthsBefore(now, RETENTION_YEARS * 12)),
          ]),
          eb.and([
            eb('status', 'in', ['refuse', 'annule']),
            eb('closed_at', '<', monthsBefore(now, CANCELLED_RETENTION_MONTHS)),
          ]),
        ]),
      )
      .returning(['id', 'status'])
      .execute();
    const drafts = await trx
      .deleteFrom('mandat_brouillon')
      .where('updated_at', '<', new Date(now.getTime() - 24 * 3600_000))
      .executeTakeFirst();
    const inbound = await forgetOldSms(trx, now);
    if (ended.length > 0)
      await audit(trx, {
        actor: JOB_ACTOR,
        action: 'mandat.purge',
        details: { mandats: ended.length, ids: ended.map((m) => m.id) },
      });
    return {
      'mandats effacés': ended.length,
      'brouillons effacés': Number(drafts.numDeletedRows),
      'SMS reçus oubliés': inbound,
    };
  });
}

/**
 * Inactivity: a habilitated helper without activity for five months is warned by email; a
 * month after the warning, still inactive, they lose the habilitation. Activity after the
 * warning clears it.
 */
export async function reviewHabilitations(
  db: Db,
  config: Config,
  now = new Date(),
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('habilitation as h')
    .innerJoin('app_user as u', 'u.id', 'h.user_id')
    .select([
      'h.user_id',
      'h.collectivite_id',
      'h.warned_at',
      'u.email',
      'u.name',
      lastActivity.as('derniere'),
    ])
    .where('h.withdrawn_at', 'is', null)
    .execute();
  const warnBefore = monthsBefore(now, HABILITATION_WARN_MONTHS);
  let warned = 0;
  let withdrawn = 0;
  let cleared = 0;
  for (const h of rows) {
    const last = new Date(h.derniere);
    if (h.warned_at && last.getTime() > h.warned_at.getTime()) {
      await db
        .updateTable('habilitation')
        .set({ warned_at: null })
        .where('user_id', '=', h.user_id)
        .execute();
      cleared++;
      continue;
    }
    if (
      h.warned_at &&
      h.warned_at.getTime() <=
        monthsBefore(now, HABILITATION_WITHDRAW_MONTHS - HABILITATION_WARN_MONTHS).getTime()
    ) {
      if (
        await withdrawHabilitation(db, JOB_ACTOR, h.user_id, `inactivité depuis le ${frenchDay(last)}`, now)
      )
        withdrawn++;
      continue;
    }
    if (!h.warned_at && last.getTime() <= warnBefore.getTime()) {
      await sendMail(db, config, {
        to: h.email,
        subject: 'Relais : votre habilitation aux mandats va être retirée',
        text: [
          `Bonjour ${h.name},`,
          '',
          `Vous n’avez pas utilisé Relais depuis le ${frenchDay(last)}.`,
          'Sans activité de votre part dans un mois, votre habilitation à créer et utiliser des mandats sera retirée.',
          'Pour la garder, connectez-vous à Relais.',
          '',
          'Si elle est retirée, votre coordinateur pourra vous habiliter de nouveau.',
        ].join('\n'),
      });
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('habilitation')
          .set({ warned_at: now })
          .where('user_id', '=', h.user_id)
          .execute();
        await audit(trx, {
          actor: JOB_ACTOR,
          action: 'habilitation.avertie',
          collectiviteId: h.collectivite_id,
          subject: { type: 'user', id: h.user_id },
          details: { derniereActivite: last.toISOString() },
        });
      });
      warned++;
    }
  }
  return { 'aidants avertis': warned, 'habilitations retirées': withdrawn, 'avertissements levés': cleared };
}

export function mandateJobs(): JobDefinition[] {
  return [
    {
      name: 'mandats.expiration',
      label: 'Clore les mandats arrivés à échéance et les demandes SMS restées sans réponse 24 h',
      schedule: '*/10 * * * *',
      run: async ({ db }) => ({
        'mandats expirés': await expireMandates(db),
        'demandes SMS annulées': await expirePendingConsents(db),
      }),
    },
    {
      name: 'mandats.purge',
      label: 'Effacer les mandats six ans après leur fin (trois mois pour les demandes non acceptées)',
      schedule: '45 3 * * *',
      run: async ({ db }) => purgeMandates(db),
    },
    {
      name: 'mandats.habilitations',
      label: 'Avertir les aidants inactifs depuis cinq mois, retirer l’habilitation un mois après',
      schedule: '0 7 * * *',
      run: async ({ db, config }) => reviewHabilitations(db, config),
    },
  ];
}

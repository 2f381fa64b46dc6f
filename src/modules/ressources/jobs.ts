import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { sendMail } from '../../platform/mail.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { sendFollowDigests } from './follows.ts';

const formatDay = (iso: string) => iso.split('-').reverse().join('/');

/**
 * Reminds the authors of published resources whose review date has passed: one mail per author
 * listing them, once per review date (a new date, once passed, reminds again). Authors whose
 * account is gone or disabled are not written to; their resources stay « à vérifier » for readers
 * and in their collectivité's coordinators' lists.
 */
export async function sendReviewReminders(
  db: Db,
  config: Config,
  today = parisToday(),
  now = new Date(),
): Promise<{ 'auteurs relancés': number; 'ressources à vérifier': number }> {
  const rows = await sql<{ id: string; titre: string; review_on: string; user_id: string; email: string }>`
    select r.id, r.titre, r.review_on::text as review_on, u.id as user_id, u.email
    from ressource r join app_user u on u.id = r.created_by and u.status = 'active'
    where r.status = 'publiee' and r.review_on < ${today}::date
      and (r.review_reminded_at is null
        or (r.review_reminded_at at time zone 'Europe/Paris')::date <= r.review_on)
    order by u.id, r.review_on, r.titre`.execute(db);
  const byAuthor = new Map<string, { email: string; resources: typeof rows.rows }>();
  for (const row of rows.rows) {
    const entry = byAuthor.get(row.user_id) ?? { email: row.email, resources: [] };
    entry.resources.push(row);
    byAuthor.set(row.user_id, entry);
  }
  for (const { email, resources } of byAuthor.values()) {
    const n = resources.length;
    await sendMail(db, config, {
      to: email,
      subject:
        n > 1
          ? `${n} de vos ressources sont à vérifier`
          : `Votre ressource « ${resources[0]!.titre} » est à vérifier`,
      text: [
        'Bonjour,',
        '',
        n > 1
          ? 'Ces ressources que vous avez écrites ont passé leur date de vérification. Les lecteurs voient « à vérifier » :'
          : 'Cette ressource que vous avez écrite a passé sa date de vérification. Les lecteurs voient « à vérifier » :',
        '',
        ...resources.flatMap((r) => [
          `- ${r.titre} (à vérifier depuis le ${formatDay(r.review_on)})`,
          `  ${config.publicUrl}/ressources/${r.id}/modifier`,
        ]),
        '',
        'Relisez-la, corrigez ce qui a changé, puis donnez-lui une nouvelle date de vérification (ou retirez la date) dans « Modifier les informations ».',
      ].join('\n'),
    });
    await db
      .updateTable('ressource')
      .set({ review_reminded_at: now })
      .where(
        'id',
        'in',
        resources.map((r) => r.id),
      )
      .execute();
  }
  return { 'auteurs relancés': byAuthor.size, 'ressources à vérifier': rows.rows.length };
}

export const ressourcesJobs: JobDefinition[] = [
  {
    name: 'ressources.suivis',
    label:
      'Envoyer aux personnes qui suivent un auteur, une collection ou une bibliothèque le résumé de ce qui y a été publié ou mis à jour (au plus un courriel par jour)',
    schedule: '15 * * * *',
    run: ({ db, config }) => sendFollowDigests(db, config),
  },
  {
    name: 'ressources.verification',
    label: 'Rappeler aux auteurs les ressources publiées dont la date de vérification est passée',
    schedule: '10 7 * * *',
    run: ({ db, config }) => sendReviewReminders(db, config),
  },
];

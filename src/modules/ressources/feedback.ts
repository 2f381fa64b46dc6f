import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { codes, optionalText } from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import { canEdit, type Outcome, type Resource, unpublishResource } from './service.ts';
import { COMMENT_MAX, REPORT_OUTCOMES, REPORT_REASONS, type ReportOutcome } from './vocabulary.ts';

type SignedIn = Extract<Actor, { kind: 'user' }>;

export const ratingFields = z.object({
  note: z.preprocess(
    (v) => (typeof v === 'string' && /^[1-4]$/.test(v) ? Number(v) : v),
    z
      .number({ error: 'Choisissez une note de 1 à 4.' })
      .int()
      .min(1, 'Choisissez une note de 1 à 4.')
      .max(4, 'Choisissez une note de 1 à 4.'),
  ),
  commentaire: optionalText('le commentaire', COMMENT_MAX),
});

/** Rates a resource (one rating a person, changed by rating again); the author may not rate their own. */
export async function rateResource(
  db: Db,
  actor: SignedIn,
  r: Resource,
  input: z.infer<typeof ratingFields>,
): Promise<Outcome> {
  if (r.created_by === actor.userId)
    return { ok: false, reason: 'Vous ne pouvez pas noter votre propre ressource.' };
  if (r.status !== 'publiee') return { ok: false, reason: 'Seule une ressource publiée peut être notée.' };
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('ressource_note')
      .values({
        ressource_id: r.id,
        user_id: actor.userId,
        rater_name: actor.name,
        note: input.note,
        commentaire: input.commentaire ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['ressource_id', 'user_id']).doUpdateSet({
          note: input.note,
          commentaire: input.commentaire ?? null,
          updated_at: new Date(),
        }),
      )
      .execute();
    await sql`update ressource set
        rating_count = (select count(*) from ressource_note where ressource_id = ${r.id}),
        rating_average = (select avg(note) from ressource_note where ressource_id = ${r.id})
      where id = ${r.id}`.execute(tx);
  });
  return { ok: true };
}

export const replyFields = z.object({
  personne: z.uuid({ error: 'Cette note n’existe pas.' }),
  reponse: optionalText('la réponse', COMMENT_MAX),
});

/** The author (or an editor) answers a rating; an empty answer removes it. */
export async function replyToRating(
  db: Db,
  actor: SignedIn,
  r: Resource,
  input: z.infer<typeof replyFields>,
): Promise<Outcome> {
  if (!canEdit(actor, r)) return { ok: false, reason: 'Seul l’auteur de la ressource peut répondre.' };
  const done = await db
    .updateTable('ressource_note')
    .set({ reply: input.reponse ?? null, replied_at: input.reponse ? new Date() : null })
    .where('ressource_id', '=', r.id)
    .where('user_id', '=', input.personne)
    .executeTakeFirst();
  return done.numUpdatedRows > 0n ? { ok: true } : { ok: false, reason: 'Cette note n’existe pas.' };
}

export const ratingsOf = (db: Db, id: string) =>
  db
    .selectFrom('ressource_note')
    .select(['user_id', 'rater_name', 'note', 'commentaire', 'reply', 'updated_at'])
    .where('ressource_id', '=', id)
    .orderBy('updated_at', 'desc')
    .limit(100)
    .execute();

export const reportFields = z.object({
  motif: z.enum(codes(REPORT_REASONS), { error: 'Choisissez le motif du signalement.' }),
  commentaire: optionalText('le commentaire', COMMENT_MAX),
});

export async function reportResource(
  db: Db,
  actor: SignedIn,
  r: Resource,
  input: z.infer<typeof reportFields>,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const { id } = await tx
      .insertInto('ressource_signalement')
      .values({
        ressource_id: r.id,
        reported_by: actor.userId,
        motif: input.motif,
        commentaire: input.commentaire ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(tx, {
      actor,
      action: 'resource.report',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource_signalement', id },
      details: { ressource: r.id, motif: input.motif },
    });
  });
}

/** The collectivités whose reports this person handles (null: all, an administrator). */
function moderatedBy(actor: SignedIn): number[] | null {
  if (can(actor, 'resources.moderate')) return null;
  return actor.memberships
    .map((m) => m.collectiviteId)
    .filter((c): c is number => c !== null && can(actor, 'resources.moderate', { collectiviteId: c }));
}

const reportQuery = (db: Db, actor: SignedIn) => {
  const scope = moderatedBy(actor);
  let q = db
    .selectFrom('ressource_signalement as s')
    .innerJoin('ressource as r', 'r.id', 's.ressource_id')
    .leftJoin('app_user as u', 'u.id', 's.reported_by');
  if (scope !== null)
    q = scope.length ? q.where('r.collectivite_id', 'in', scope) : q.where(sql<boolean>`false`);
  return q;
};

/** The moderation queue (open reports first); reading it is journaled: it names the reporters. */
export async function moderationQueue(db: Db, actor: SignedIn, open: boolean) {
  const rows = await reportQuery(db, actor)
    .select([
      's.id',
      's.motif',
      's.commentaire',
      's.outcome',
      's.decision_message',
      's.created_at',
      's.resolved_at',
      'r.id as ressource_id',
      'r.titre',
      'r.status',
      'u.name as reporter_name',
    ])
    .where('s.outcome', open ? '=' : '<>', 'ouvert')
    .orderBy('s.created_at', open ? 'asc' : 'desc')
    .limit(100)
    .execute();
  await audit(db, { actor, action: 'resource.reports_read', details: { open, rows: rows.length } });
  return rows;
}

export const countOpenReports = async (db: Db, actor: SignedIn) =>
  Number(
    (
      await reportQuery(db, actor)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('s.outcome', '=', 'ouvert')
        .executeTakeFirstOrThrow()
    ).n,
  );

export const decisionFields = z.object({
  decision: z
    .enum(codes(REPORT_OUTCOMES), { error: 'Choisissez une décision.' })
    .refine((d) => d !== 'ouvert', {
      message: 'Choisissez une décision.',
    }),
  message: optionalText('le message à la personne qui a signalé', COMMENT_MAX),
});

/** Resolves a report: unpublishes the resource if so decided, and writes to the reporter. */
export async function resolveReport(
  db: Db,
  config: Config,
  actor: SignedIn,
  reportId: string,
  input: z.infer<typeof decisionFields>,
): Promise<Outcome> {
  const report = await reportQuery(db, actor)
    .select(['s.id', 's.outcome', 's.motif', 'r.id as ressource_id', 'r.titre', 'u.email as reporter_email'])
    .where('s.id', '=', reportId)
    .executeTakeFirst();
  if (!report) return { ok: false, reason: 'Ce signalement n’existe pas ou ne vous concerne pas.' };
  if (report.outcome !== 'ouvert') return { ok: false, reason: 'Ce signalement est déjà traité.' };
  const decision = input.decision as Exclude<ReportOutcome, 'ouvert'>;
  await db
    .updateTable('ressource_signalement')
    .set({
      outcome: decision,
      decision_message: input.message ?? null,
      resolved_by: actor.userId,
      resolved_at: new Date(),
    })
    .where('id', '=', report.id)
    .execute();
  if (decision === 'retenu_depubliee') {
    const r = await db
      .selectFrom('ressource')
      .selectAll()
      .where('id', '=', report.ressource_id)
      .executeTakeFirstOrThrow();
    if (r.status === 'publiee') await unpublishResource(db, actor, r, 'Dépubliée après un signalement');
  }
  await audit(db, {
    actor,
    action: 'resource.moderate',
    subject: { type: 'ressource_signalement', id: report.id },
    details: { ressource: report.ressource_id, decision },
  });
  if (report.reporter_email)
    await sendMail(db, config, {
      to: report.reporter_email,
      subject: `Votre signalement de la ressource « ${report.titre} »`,
      text: [
        'Bonjour,',
        '',
        `Vous avez signalé la ressource « ${report.titre} » (${REPORT_REASONS[report.motif]}).`,
        `Décision : ${REPORT_OUTCOMES[decision]}.`,
        ...(input.message ? ['', input.message] : []),
        '',
        'Merci de votre aide pour garder la bibliothèque de ressources à jour.',
      ].join('\n'),
    });
  return { ok: true };
}

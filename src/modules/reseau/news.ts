import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { codes, isUuid, requiredText } from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import { isUnsubscribeSignature, networkSecret, unsubscribeSignature } from './links.ts';
import { NAME_MAX, NEWS_AUDIENCES, NEWS_FREQUENCIES, type NewsFrequency, TEXT_MAX } from './vocabulary.ts';

export type News = Selectable<Database['reseau_actualite']>;

export const newsFields = z.object({
  titre: requiredText('le titre', NAME_MAX),
  texte: requiredText('le texte', TEXT_MAX * 4),
  audience: z.enum(codes(NEWS_AUDIENCES), { error: 'Choisissez à qui s’adresse l’actualité.' }),
});

/** The one-click unsubscribe address of a contact (RFC 8058: a POST to it unsubscribes). */
export const unsubscribeUrl = (config: Config, secret: string, contactId: string) =>
  `${config.publicUrl}/reseau/desabonnement/${contactId}/${unsubscribeSignature(secret, contactId)}`;

/** The one-click target a mail client posts to (RFC 8058), under the API. */
export const oneClickUrl = (config: Config, secret: string, contactId: string) =>
  `${config.publicUrl}/api/v1/reseau/desabonnement/${contactId}/${unsubscribeSignature(secret, contactId)}`;

/** The headers of every news mail: mail clients show an unsubscribe button that posts at once. */
export const unsubscribeHeaders = (config: Config, secret: string, contactId: string) => ({
  'List-Unsubscribe': `<${oneClickUrl(config, secret, contactId)}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/**
 * Publishes a news item and mails it at once to every contact of the current members who has not
 * unsubscribed and chose each news as it comes, each with their own unsubscribe link; the
 * contacts who chose the weekly digest get it in the next one (`sendWeeklyDigest`).
 */
export async function publishNews(db: Db, config: Config, actor: Actor, input: z.infer<typeof newsFields>) {
  ensure(actor, 'network.manage');
  const contacts = await db
    .selectFrom('reseau_contact')
    .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_contact.membre_id')
    .select(['reseau_contact.id', 'reseau_contact.email'])
    .where('reseau_membre.status', '=', 'membre')
    .where('reseau_contact.unsubscribed_at', 'is', null)
    .where('reseau_contact.frequence', '=', 'immediate')
    .execute();
  const news = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('reseau_actualite')
      .values({
        ...input,
        published_by: actor.kind === 'user' ? actor.userId : null,
        recipients: contacts.length,
      })
      .returning(['id', 'titre', 'texte'])
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'network.news.publish',
      subject: { type: 'reseau_actualite', id: row.id },
      details: { destinataires: contacts.length },
    });
    return row;
  });
  const secret = await networkSecret(db);
  for (const c of contacts) {
    const unsubscribe = unsubscribeUrl(config, secret, c.id);
    await sendMail(db, config, {
      to: c.email,
      subject: `Actualité du réseau : ${news.titre}`,
      text: `${news.titre}\n\n${news.texte}\n\nToutes les actualités : ${config.publicUrl}/reseau/actualites\n\nVous recevez ce message comme contact d’une structure membre du réseau. Ne plus recevoir les actualités, en un clic : ${unsubscribe}\n`,
      headers: unsubscribeHeaders(config, secret, c.id),
    });
  }
  return { id: news.id, recipients: contacts.length };
}

/**
 * The weekly digest: every news item not yet carried by a digest, in one mail to each contact of
 * the current members who chose the digest and has not unsubscribed. The items are marked in the
 * same transaction that reads them, so that two runs never send them twice.
 */
export async function sendWeeklyDigest(db: Db, config: Config, now: Date = new Date()) {
  const { items, contacts } = await db.transaction().execute(async (trx) => {
    const items = await trx
      .updateTable('reseau_actualite')
      .set({ digest_at: now })
      .where('digest_at', 'is', null)
      .where('published_at', '<=', now)
      .returning(['id', 'titre', 'texte', 'published_at'])
      .execute();
    if (items.length === 0) return { items, contacts: [] };
    const contacts = await trx
      .selectFrom('reseau_contact')
      .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_contact.membre_id')
      .select(['reseau_contact.id', 'reseau_contact.email'])
      .where('reseau_membre.status', '=', 'membre')
      .where('reseau_contact.unsubscribed_at', 'is', null)
      .where('reseau_contact.frequence', '=', 'hebdomadaire')
      .execute();
    await audit(trx, {
      actor: { kind: 'system', label: 'reseau.resume-hebdomadaire' },
      action: 'network.news.digest',
      details: { actualites: items.length, destinataires: contacts.length },
    });
    return { items, contacts };
  });
  if (contacts.length === 0) return { news: items.length, recipients: 0 };
  items.sort((a, b) => a.published_at.getTime() - b.published_at.getTime());
  const body = items
    .map((n) => `${n.titre}\n${'-'.repeat(Math.min(60, n.titre.length))}\n${n.texte}`)
    .join('\n\n');
  const secret = await networkSecret(db);
  for (const c of contacts)
    await sendMail(db, config, {
      to: c.email,
      subject: `Les actualités du réseau de la semaine (${items.length})`,
      text: `${body}\n\nToutes les actualités : ${config.publicUrl}/reseau/actualites\n\nVous recevez ce résumé chaque semaine comme contact d’une structure membre du réseau. Ne plus recevoir les actualités, en un clic : ${unsubscribeUrl(config, secret, c.id)}\n`,
      headers: unsubscribeHeaders(config, secret, c.id),
    });
  return { news: items.length, recipients: contacts.length };
}

/** News for everyone (public ones), newest first. */
export function publicNews(db: Db, limit = 50) {
  return db
    .selectFrom('reseau_actualite')
    .selectAll()
    .where('audience', '=', 'public')
    .orderBy('published_at', 'desc')
    .limit(limit)
    .execute();
}

export function latestNews(db: Db, limit = 50) {
  return db.selectFrom('reseau_actualite').selectAll().orderBy('published_at', 'desc').limit(limit).execute();
}

export type UnsubscribeCheck =
  | { ok: true; contactId: string; already: boolean; frequence: NewsFrequency }
  | { ok: false };

/** Whether an unsubscribe link is one we signed for an existing contact. */
export async function checkUnsubscribe(
  db: Db,
  contactId: string,
  signature: string,
): Promise<UnsubscribeCheck> {
  if (!isUuid(contactId) || !isUnsubscribeSignature(await networkSecret(db), contactId, signature))
    return { ok: false };
  const c = await db
    .selectFrom('reseau_contact')
    .select(['id', 'unsubscribed_at', 'frequence'])
    .where('id', '=', contactId)
    .executeTakeFirst();
  return c
    ? { ok: true, contactId, already: c.unsubscribed_at !== null, frequence: c.frequence }
    : { ok: false };
}

/** One click: the contact receives no more news. An altered link changes nothing and is journaled. */
export async function unsubscribe(
  db: Db,
  contactId: string,
  signature: string,
  ip: string | null,
): Promise<boolean> {
  const check = await checkUnsubscribe(db, contactId, signature);
  if (!check.ok) {
    await audit(db, { actor: { kind: 'anonymous' }, action: 'network.unsubscribe.refused', ip });
    return false;
  }
  if (check.already) return true;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('reseau_contact')
      .set({ unsubscribed_at: sql<Date>`coalesce(unsubscribed_at, now())` })
      .where('id', '=', contactId)
      .execute();
    await audit(trx, {
      actor: { kind: 'anonymous' },
      action: 'network.contact.unsubscribe',
      subject: { type: 'reseau_contact', id: contactId },
      ip,
    });
  });
  return true;
}

export const frequencyFields = z.object({
  frequence: z.enum(codes(NEWS_FREQUENCIES), {
    error: 'Choisissez « chaque actualité » ou « un résumé par semaine ».',
  }),
});

/**
 * From the unsubscribe page, the contact keeps the news but changes how they come: each as it
 * is published, or one weekly digest. An altered link changes nothing and is journaled; a
 * contact who already left stays unsubscribed ('unsubscribed').
 */
export async function chooseFrequency(
  db: Db,
  contactId: string,
  signature: string,
  frequence: NewsFrequency,
  ip: string | null,
): Promise<'ok' | 'invalid' | 'unsubscribed'> {
  const check = await checkUnsubscribe(db, contactId, signature);
  if (!check.ok) {
    await audit(db, { actor: { kind: 'anonymous' }, action: 'network.unsubscribe.refused', ip });
    return 'invalid';
  }
  if (check.already) return 'unsubscribed';
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('reseau_contact')
      .set({ frequence })
      .where('id', '=', contactId)
      .where('unsubscribed_at', 'is', null)
      .execute();
    await audit(trx, {
      actor: { kind: 'anonymous' },
      action: 'network.contact.frequency',
      subject: { type: 'reseau_contact', id: contactId },
      details: { frequence },
      ip,
    });
  });
  return 'ok';
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The public news as an Atom feed (RFC 4287). */
export function atomFeed(config: Config, items: readonly News[], title: string): string {
  const base = config.publicUrl;
  const updated = (items[0]?.published_at ?? new Date(0)).toISOString();
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>${xml(title)}</title>
  <id>${xml(`${base}/reseau/actualites`)}</id>
  <link rel="alternate" type="text/html" href="${xml(`${base}/reseau/actualites`)}"/>
  <link rel="self" type="application/atom+xml" href="${xml(`${base}/reseau/actualites.atom`)}"/>
  <updated>${updated}</updated>
${items
  .map(
    (n) => `  <entry>
    <title>${xml(n.titre)}</title>
    <id>${xml(`${base}/reseau/actualites#${n.id}`)}</id>
    <link rel="alternate" type="text/html" href="${xml(`${base}/reseau/actualites#actualite-${n.id}`)}"/>
    <updated>${n.published_at.toISOString()}</updated>
    <author><name>${xml(title)}</name></author>
    <content type="text">${xml(n.texte)}</content>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}

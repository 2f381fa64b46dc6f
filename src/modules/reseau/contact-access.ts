import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isChecked, isUuid } from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { invitePerson } from '../comptes/index.ts';
import { calendar } from './agenda.ts';
import { contactFeedToken, networkSecret, readContactFeedToken } from './links.ts';
import type { Member } from './members.ts';

/**
 * What a member's contact gets beyond the network's mail: an account on Relais when the
 * coordination invites them (they agreed), and a calendar feed of their own events behind a
 * secret address that can be reset.
 */

export type ContactView = {
  member: Pick<Member, 'id' | 'nom' | 'status' | 'commune'>;
  contact: Selectable<Database['reseau_contact']>;
  feedUrl: string;
};

/** One contact of one member, for the coordinators (journaled: it shows their details). */
export async function contactOf(
  db: Db,
  config: Config,
  actor: Actor,
  memberId: string,
  contactId: string,
): Promise<ContactView | undefined> {
  ensure(actor, 'network.manage');
  if (!isUuid(memberId) || !isUuid(contactId)) return undefined;
  const member = await db
    .selectFrom('reseau_membre')
    .select(['id', 'nom', 'status', 'commune'])
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (!member) return undefined;
  const contact = await db
    .selectFrom('reseau_contact')
    .selectAll()
    .where('id', '=', contactId)
    .where('membre_id', '=', memberId)
    .executeTakeFirst();
  if (!contact) return undefined;
  await audit(db, {
    actor,
    action: 'network.contact.read',
    subject: { type: 'reseau_membre', id: memberId },
    details: { contact: contactId },
  });
  return { member, contact, feedUrl: contactFeedUrl(config, await networkSecret(db), contact) };
}

const contactFeedUrl = (
  config: Config,
  secret: string,
  contact: Pick<Selectable<Database['reseau_contact']>, 'id' | 'flux_version'>,
) =>
  `${config.publicUrl}/reseau/calendrier/contacts/${contactFeedToken(secret, contact.id, contact.flux_version)}.ics`;

// ------------------------------------------------------------------ account on Relais

/**
 * The role a member's contact is given: `mediateur`, in the collectivité the coordination
 * picks. DESIGN.md names the people of the network's structures (conseillers numériques,
 * aidants, France Services agents, librarians, social workers) as helpers; a coordinator's
 * role manages a collectivité's people, places and statistics, an administrator the whole
 * OPSN, neither of which a partner structure's staff should hold. A helper sees only the
 * people they help and their own reports.
 */
export const CONTACT_ROLE = 'mediateur' as const;

export const accountFields = z.object({
  collectivite: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : Number(v)),
    z.number({ error: 'Choisissez la collectivité où la personne agira.' }).int().positive(),
  ),
  accord_compte: z.preprocess(
    isChecked,
    z.literal(true, {
      error: 'Cochez la case : la personne doit avoir demandé ou accepté un compte sur Relais.',
    }),
  ),
});

export type InviteOutcome = 'ok' | 'not_found' | { status: 400 | 409; errors: FieldErrors };

/**
 * Invites a contact of a current member to Relais as a helper of a collectivité: the
 * invitation mail (a one-time link) goes out as every account invitation does. Refused for a
 * contact of a structure that is not a member, for a contact who withdrew their agreement
 * (unsubscribed), or who was already invited.
 */
export async function inviteContact(
  db: Db,
  config: Config,
  actor: Actor,
  memberId: string,
  contactId: string,
  input: z.infer<typeof accountFields>,
  collectivites: readonly number[],
): Promise<InviteOutcome> {
  ensure(actor, 'network.manage');
  if (!isUuid(memberId) || !isUuid(contactId)) return 'not_found';
  const found = await db
    .selectFrom('reseau_contact as c')
    .innerJoin('reseau_membre as m', 'm.id', 'c.membre_id')
    .select(['c.id', 'c.nom', 'c.email', 'c.unsubscribed_at', 'c.compte_invite_at', 'm.status'])
    .where('c.id', '=', contactId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
  if (!found) return 'not_found';
  const refuse = (status: 400 | 409, field: string, message: string) => ({
    status,
    errors: { [field]: message },
  });
  if (found.status !== 'membre')
    return refuse(
      409,
      'compte',
      'Seuls les contacts d’une structure membre du réseau peuvent être invités sur Relais.',
    );
  if (found.unsubscribed_at)
    return refuse(
      409,
      'compte',
      'Cette personne s’est désabonnée du réseau : elle a retiré son accord, elle ne peut pas être invitée.',
    );
  if (found.compte_invite_at) return refuse(409, 'compte', 'Cette personne a déjà été invitée sur Relais.');
  if (!collectivites.includes(input.collectivite))
    return refuse(400, 'collectivite', 'Choisissez une collectivité du territoire dans la liste.');
  const invited = await invitePerson(db, config, actor, {
    email: found.email,
    name: found.nom,
    role: CONTACT_ROLE,
    collectiviteId: input.collectivite,
  });
  if (!invited.ok) return refuse(409, 'compte', invited.reason);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('reseau_contact')
      .set({ compte_invite_at: new Date() })
      .where('id', '=', contactId)
      .execute();
    await audit(trx, {
      actor,
      action: 'network.contact.invite',
      collectiviteId: input.collectivite,
      subject: { type: 'reseau_membre', id: memberId },
      details: { contact: contactId, role: CONTACT_ROLE },
    });
  });
  return 'ok';
}

// ------------------------------------------------------------------ the contact's calendar

function feedMail(config: Config, to: string, url: string, renewed: boolean) {
  return {
    to,
    subject: renewed ? 'Votre agenda du réseau : nouveau lien' : 'Votre agenda du réseau',
    text: [
      'Bonjour,',
      '',
      renewed
        ? 'Le lien de votre agenda du réseau a été renouvelé : l’ancien ne fonctionne plus.'
        : 'Voici le lien de votre agenda du réseau : les réunions où votre structure est invitée et les événements où vous êtes inscrit(e).',
      'Ajoutez-le à votre application d’agenda (abonnement par adresse) :',
      url,
      '',
      'Ce lien est personnel : ne le transmettez pas.',
      `Agenda public du réseau : ${config.publicUrl}/reseau/agenda`,
      '',
    ].join('\n'),
  };
}

/**
 * Mails a contact the address of their feed; `reset` first gives it a new address (the old one
 * answers 410 from then on). False when there is no such contact of that member.
 */
export async function sendContactFeed(
  db: Db,
  config: Config,
  actor: Actor,
  memberId: string,
  contactId: string,
  reset: boolean,
): Promise<boolean> {
  ensure(actor, 'network.manage');
  if (!isUuid(memberId) || !isUuid(contactId)) return false;
  const contact = await db.transaction().execute(async (trx) => {
    const row = reset
      ? await trx
          .updateTable('reseau_contact')
          .set({ flux_version: sql<number>`flux_version + 1`, flux_reset_at: new Date() })
          .where('id', '=', contactId)
          .where('membre_id', '=', memberId)
          .returning(['id', 'email', 'flux_version'])
          .executeTakeFirst()
      : await trx
          .selectFrom('reseau_contact')
          .select(['id', 'email', 'flux_version'])
          .where('id', '=', contactId)
          .where('membre_id', '=', memberId)
          .executeTakeFirst();
    if (row)
      await audit(trx, {
        actor,
        action: reset ? 'network.contact.feed.reset' : 'network.contact.feed.send',
        subject: { type: 'reseau_membre', id: memberId },
        details: { contact: contactId },
      });
    return row;
  });
  if (!contact) return false;
  const url = contactFeedUrl(config, await networkSecret(db), contact);
  await sendMail(db, config, feedMail(config, contact.email, url, reset));
  return true;
}

export type ContactFeed = { ok: true; ics: string } | { ok: false; status: 404 | 410 };

/**
 * A contact's own feed: the events their structure is invited to and those they registered for
 * with their address, of the last year and to come (cancelled ones as CANCELLED). A reset
 * token answers 410, an altered or unknown one 404.
 */
export async function contactFeed(db: Db, config: Config, token: string): Promise<ContactFeed> {
  const read = readContactFeedToken(await networkSecret(db), token.replace(/\.ics$/, ''));
  if (!read) return { ok: false, status: 404 };
  const contact = await db
    .selectFrom('reseau_contact')
    .select(['id', 'membre_id', 'email', 'flux_version'])
    .where('id', '=', read.contactId)
    .executeTakeFirst();
  if (!contact) return { ok: false, status: 404 };
  if (contact.flux_version !== read.version) return { ok: false, status: 410 };
  const events = await db
    .selectFrom('reseau_evenement as e')
    .selectAll('e')
    .where('e.ends_at', '>', sql<Date>`now() - interval '1 year'`)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('reseau_invitation as i')
            .select('i.evenement_id')
            .whereRef('i.evenement_id', '=', 'e.id')
            .where('i.membre_id', '=', contact.membre_id),
        ),
        eb.exists(
          eb
            .selectFrom('reseau_inscription as r')
            .select('r.id')
            .whereRef('r.evenement_id', '=', 'e.id')
            .where('r.email', '=', contact.email),
        ),
      ]),
    )
    .orderBy('e.starts_at')
    .execute();
  return { ok: true, ics: calendar(events, { name: 'Mon agenda du réseau', baseUrl: config.publicUrl }) };
}

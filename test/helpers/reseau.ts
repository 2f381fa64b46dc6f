import { sql } from 'kysely';
import { createSession, createType, register } from '../../src/modules/formations/service.ts';
import { addGrant, grantFields } from '../../src/modules/reseau/action-finance.ts';
import { createCommittee, createEvent, eventFields, recordMinutes } from '../../src/modules/reseau/agenda.ts';
import {
  contactFeedToken,
  feedToken,
  networkSecret,
  unsubscribeSignature,
} from '../../src/modules/reseau/links.ts';
import { addContact, addMember } from '../../src/modules/reseau/members.ts';
import { createAction, createRoadmap } from '../../src/modules/reseau/roadmap.ts';
import { type Actor, systemActor } from '../../src/platform/auth/policy.ts';
import type { Config } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { testConfig } from './app.ts';

/**
 * A small network without the demo: a member with a contact, a comité meeting it is invited to,
 * a roadmap with one action; through the module's own functions. Returns their ids.
 */
export async function givenNetwork(db: Db, config: Config) {
  const actor = systemActor('test');
  const member = await addMember(db, actor, {
    nom: 'Association Numérique Ensemble',
    kind: 'association',
    siret: '41816609600069',
    roles: ['coporteur'],
    public: true,
  });
  if (!member.ok) throw new Error('givenNetwork: member');
  await addContact(db, actor, member.id, {
    contact_nom: 'Camille Contact',
    contact_email: 'camille@ensemble.example',
    contact_frequence: 'immediate',
    accord: true,
  });
  const comite = await createCommittee(db, actor, {
    nom: 'Comité de pilotage',
    type: 'strategique',
    frequence: 'trimestrielle',
  });
  const event = await createEvent(
    db,
    config,
    actor,
    eventFields.parse({
      kind: 'comite',
      comite,
      titre: 'Comité de pilotage de printemps',
      date: '2027-04-15',
      heure_debut: '14:00',
      heure_fin: '16:00',
      lieu: 'Salle du conseil',
      audience: 'invites',
      invites: [member.id],
    }),
  );
  if (!event.ok) throw new Error('givenNetwork: event');
  const roadmap = await createRoadmap(db, actor, {
    nom: 'Feuille de route 2027',
    perimetre: 'Tout le territoire',
  });
  if (!roadmap.ok) throw new Error('givenNetwork: roadmap');
  const action = await createAction(
    db,
    actor,
    {
      feuille: roadmap.id,
      titre: 'Former les aidants',
      besoins: [],
      debut: '2027-01-01',
      fin: '2027-12-31',
      indicateur: 'aucun',
    },
    [],
  );
  if (!action.ok) throw new Error('givenNetwork: action');
  return { member: member.id, comite, event: event.id, roadmap: roadmap.id, action: action.id };
}

/**
 * Real values for the network's route parameters, from its demo data (the authorization
 * matrix calls every route with them): a member, an event, an action, a contact with the
 * signature of their unsubscribe link, the current token of the network's calendar, a comité,
 * a roadmap, and the demo roadmap's co-financing, grant request and document.
 */
export async function networkRouteParams(db: Db): Promise<Record<string, string>> {
  const [member, event, action, contact, feed, secret, committee, roadmap, cofinancing, grant, document] =
    await Promise.all([
      db
        .selectFrom('reseau_membre')
        .select('id')
        .where('status', '=', 'candidat')
        .orderBy('nom')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('reseau_evenement')
        .select('id')
        .where('audience', '=', 'public')
        .executeTakeFirstOrThrow(),
      db.selectFrom('reseau_action').select('id').executeTakeFirstOrThrow(),
      // A contact of that member: the routes of a member's contact check it is theirs.
      db
        .selectFrom('reseau_contact')
        .select(['id', 'membre_id', 'flux_version'])
        .orderBy(
          sql`membre_id = (select id from reseau_membre where status = 'candidat' order by nom limit 1)`,
          'desc',
        )
        .executeTakeFirstOrThrow(),
      // No row until the feed's first reset: version 1.
      db.selectFrom('reseau_flux').select('version').executeTakeFirst(),
      networkSecret(db),
      db.selectFrom('reseau_comite').select('id').executeTakeFirstOrThrow(),
      db.selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow(),
      db.selectFrom('reseau_cofinancement').select(['id', 'action_id']).executeTakeFirstOrThrow(),
      db.selectFrom('reseau_demande_subvention').select('id').executeTakeFirstOrThrow(),
      db
        .selectFrom('reseau_feuille_route_document')
        .select(['id', 'feuille_route_id'])
        .executeTakeFirstOrThrow(),
    ]);
  return {
    ':membre': member.id,
    ':evenement': event.id,
    // The demo's co-financed action, of the roadmap with a document: their routes name both.
    ':action': cofinancing.action_id ?? action.id,
    ':contact': contact.id,
    ':signature': unsubscribeSignature(secret, contact.id),
    ':flux': `${feedToken(secret, feed?.version ?? 1)}.ics`,
    ':comite': committee.id,
    ':feuille': document.feuille_route_id ?? roadmap.id,
    ':cofinancement': cofinancing.id,
    ':demande': grant.id,
    ':document': document.id,
    ':abonnement': `${contactFeedToken(secret, contact.id, contact.flux_version)}.ics`,
    // The first version of the event's minutes (`givenMinutes` records one).
    ':numero': '1',
  };
}

/** Records a grant request for an action, through the module's own function. */
export async function givenGrant(db: Db, actionId: string): Promise<void> {
  const done = await addGrant(
    db,
    systemActor('test'),
    actionId,
    grantFields.parse({ financeur: 'Conseil départemental', montant_demande: '12000', depot: '2026-11-02' }),
  );
  if (done !== 'ok') throw new Error('givenGrant: no such action');
}

/** Records a first version of an event's minutes, through the module's own function. */
export async function givenMinutes(db: Db, eventId: string): Promise<void> {
  const done = await recordMinutes(db, systemActor('test'), eventId, {
    compte_rendu: 'Compte rendu de la réunion.',
    presents: [],
  });
  if (!done) throw new Error('givenMinutes: no such event');
}

/**
 * One training session followed by these helpers, each with a certificate of `minutes` issued
 * now (codes `code` + their rank), through the trainings module's own functions.
 */
export async function givenCertificates(
  db: Db,
  helpers: { actor: Actor; userId: string }[],
  options: { minutes: number; code: string },
): Promise<void> {
  const system = systemActor('test');
  const type = await createType(db, system, {
    titre: `Accompagner les démarches en ligne ${options.code}`,
    objectifs: 'Objectifs.',
    programme: 'Programme.',
    duree_heures: 4,
    modalite: 'distanciel',
    publics: ['mediateur'],
    certifiante: true,
    habilitante: false,
  });
  if (!type.ok) throw new Error('givenCertificates: type');
  const typeId = (
    await db
      .selectFrom('formation_type')
      .select('id')
      .where('slug', '=', type.value)
      .executeTakeFirstOrThrow()
  ).id;
  const start = new Date(Date.now() + 20 * 86_400_000);
  const session = await createSession(db, system, {
    type_id: typeId,
    halfDays: [{ starts_at: start, ends_at: new Date(start.getTime() + 4 * 3_600_000) }],
    capacite: Math.max(10, helpers.length),
    lieu_libelle: 'Médiathèque',
    intra: false,
    formateurs: [],
  });
  if (!session.ok) throw new Error('givenCertificates: session');
  for (const [i, h] of helpers.entries()) {
    const registration = await register(db, testConfig, h.actor, session.id, h.userId);
    if (!registration.ok) throw new Error('givenCertificates: registration');
    await db
      .insertInto('formation_attestation')
      .values({
        inscription_id: registration.value.id,
        code: `${options.code}${i}`,
        minutes_presentes: options.minutes,
        issued_by: null,
        revoked_at: null,
        revoked_by: null,
        motif_revocation: null,
        habilitation_at: null,
        habilitation_by: null,
      })
      .execute();
  }
}

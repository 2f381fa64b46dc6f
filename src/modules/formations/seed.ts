import { randomInt } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { DEMO_HELPER_EMAIL } from '../activites/index.ts';
import { helperByEmail } from '../mediateurs/index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';

/** Demo trainer and coordinator (see comptes' demo accounts). */
const DEMO_TRAINER_EMAIL = 'formation@demo.relais.example';
const DAY = 86_400_000;

/** A half-day `days` from now at `hour` (UTC, close enough for a demo), 3 h 30 long. */
const halfDay = (now: Date, days: number, hour: number) => {
  const start = new Date(Math.floor(now.getTime() / DAY) * DAY + days * DAY + hour * 3_600_000);
  return { starts_at: start, ends_at: new Date(start.getTime() + 3.5 * 3_600_000) };
};

async function newSession(
  db: Db,
  values: {
    type_id: string;
    collectivite_id: number | null;
    capacite: number;
    lieu_libelle: string;
    lien_distance?: string;
  },
  halfDays: { starts_at: Date; ends_at: Date }[],
  trainer: string | undefined,
) {
  const first = halfDays[0]!.starts_at;
  const row = await db
    .insertInto('formation_session')
    .values({
      ...values,
      lieu_id: null,
      lien_distance: values.lien_distance ?? null,
      opens_at: new Date(first.getTime() - 40 * DAY),
      closes_at: new Date(first.getTime() - 2 * DAY),
      motif_annulation: null,
      created_by: null,
      cancelled_at: null,
      cancelled_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('formation_demi_journee')
    .values(halfDays.map((h) => ({ session_id: row.id, ...h, code_emargement: null, code_expires_at: null })))
    .execute();
  if (trainer)
    await db.insertInto('formation_formateur').values({ session_id: row.id, user_id: trainer }).execute();
  return row.id;
}

/**
 * Demo mode: three trainings in the catalogue (one leads to the mandate habilitation), two
 * sessions to come (the demo helper is registered to the OPSN's, run by the demo trainer) and
 * one past session where the helper attended and got a certificate.
 */
export async function seedFormations({ db }: ModuleContext): Promise<void> {
  if (await db.selectFrom('formation_type').select('id').limit(1).executeTakeFirst()) return;
  const now = new Date();
  const [habilitation, demarches, atelier] = await db
    .insertInto('formation_type')
    .values([
      {
        collectivite_id: null,
        slug: 'habilitation-aidants-connect',
        titre: 'Habilitation Aidants Connect',
        objectifs:
          'Savoir quand et comment agir au nom d’une personne avec un mandat : le cadre légal (article 1984 du Code civil), le recueil du consentement, la protection des données, l’usage du mandat et sa révocation.',
        programme:
          'Demi-journée 1 : le mandat, le consentement, les droits de la personne.\nDemi-journée 2 : mises en situation, création et usage d’un mandat, révocation.',
        duree_minutes: 420,
        modalite: 'presentiel',
        prerequis: 'Accompagner déjà des personnes dans leurs démarches en ligne.',
        publics: ['mediateur', 'france_services', 'conseiller_numerique'],
        prestataire: 'Organisme de formation habilité Aidants Connect',
        certifiante: true,
        habilitante: true,
        created_by: null,
      },
      {
        collectivite_id: null,
        slug: 'accompagner-les-demarches-en-ligne',
        titre: 'Accompagner les démarches administratives en ligne',
        objectifs:
          'Repérer les démarches les plus demandées (CAF, impôts, ANTS, France Travail) et accompagner sans faire à la place.',
        programme:
          'Les grands portails, FranceConnect, les pièces justificatives, les erreurs fréquentes, orienter quand il le faut.',
        duree_minutes: 420,
        modalite: 'hybride',
        prerequis: null,
        publics: ['mediateur', 'conseiller_numerique', 'france_services'],
        prestataire: null,
        certifiante: true,
        habilitante: false,
        created_by: null,
      },
      {
        collectivite_id: null,
        slug: 'animer-un-atelier-collectif',
        titre: 'Animer un atelier numérique collectif',
        objectifs: 'Préparer, animer et évaluer un atelier de 6 à 10 personnes débutantes.',
        programme: 'Le déroulé type, les supports, la gestion du groupe, le compte rendu d’atelier.',
        duree_minutes: 210,
        modalite: 'presentiel',
        prerequis: null,
        publics: ['mediateur', 'conseiller_numerique'],
        prestataire: null,
        certifiante: true,
        habilitante: false,
        created_by: null,
      },
    ])
    .returning('id')
    .execute();
  const trainer = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', DEMO_TRAINER_EMAIL)
    .executeTakeFirst();
  const villeurbanne = await findCollectiviteByCode(db, '69266');
  const upcoming = await newSession(
    db,
    {
      type_id: habilitation!.id,
      collectivite_id: null,
      capacite: 10,
      lieu_libelle: 'Maison des services publics, 12 rue Paul Verlaine, 69100 Villeurbanne',
    },
    [halfDay(now, 21, 8), halfDay(now, 22, 8)],
    trainer?.id,
  );
  await newSession(
    db,
    {
      type_id: demarches!.id,
      collectivite_id: villeurbanne?.id ?? null,
      capacite: 12,
      lieu_libelle: 'Médiathèque du Tonkin, Villeurbanne',
      lien_distance: 'https://visio.example.org/demarches',
    },
    [halfDay(now, 35, 8), halfDay(now, 35, 12)],
    trainer?.id,
  );
  const past = await newSession(
    db,
    {
      type_id: atelier!.id,
      collectivite_id: null,
      capacite: 8,
      lieu_libelle: 'Espace numérique de Saint-Chamond',
    },
    [halfDay(now, -30, 8)],
    trainer?.id,
  );
  const helper = await helperByEmail(db, DEMO_HELPER_EMAIL);
  if (!helper) return;
  const register = async (sessionId: string) => {
    await db
      .updateTable('formation_session')
      .set((eb) => ({ places_prises: eb('places_prises', '+', 1) }))
      .where('id', '=', sessionId)
      .execute();
    return (
      await db
        .insertInto('formation_inscription')
        .values({
          session_id: sessionId,
          user_id: helper.userId,
          collectivite_id: helper.collectiviteId,
          status: 'inscrit',
          offered_at: null,
          offer_expires_at: null,
          created_by: helper.userId,
          confirmed_at: now,
          cancelled_at: null,
          cancelled_by: null,
          motif_annulation: null,
          reminded_7_at: null,
          reminded_1_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  };
  await register(upcoming);
  const done = await register(past);
  const pastHalf = await db
    .selectFrom('formation_demi_journee')
    .select('id')
    .where('session_id', '=', past)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('formation_presence')
    .values({
      inscription_id: done,
      demi_journee_id: pastHalf.id,
      present: true,
      source: 'ecran',
      recorded_by: trainer?.id ?? null,
    })
    .execute();
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const part = () => Array.from({ length: 4 }, () => letters[randomInt(letters.length)]).join('');
  await db
    .insertInto('formation_attestation')
    .values({
      inscription_id: done,
      code: `${part()}-${part()}-${part()}`,
      minutes_presentes: 210,
      issued_by: trainer?.id ?? null,
      revoked_at: null,
      revoked_by: null,
      motif_revocation: null,
      habilitation_at: null,
      habilitation_by: null,
    })
    .execute();
}

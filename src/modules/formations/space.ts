import { sql } from 'kysely';
import { isAdmin } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { helperCollectivites } from '../mediateurs/index.ts';
import { habilitationProposals, organiserCollectivites } from './service.ts';

const n = (count: number, one: string, many: string) => `${count} ${count > 1 ? many : one}`;

/** A helper's trainings: what is coming, a seat to confirm, certificates. */
export const learnerBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const row = await sql<{ upcoming: number; offers: number; certificates: number }>`
    select count(*) filter (where i.status = 'inscrit' and exists (
             select 1 from formation_demi_journee d where d.session_id = i.session_id and d.ends_at > now()))::int as upcoming,
           count(*) filter (where i.status = 'liste_attente' and i.offer_expires_at > now())::int as offers,
           (select count(*) from formation_attestation a join formation_inscription j on j.id = a.inscription_id
             where j.user_id = ${actor.userId} and a.revoked_at is null)::int as certificates
    from formation_inscription i where i.user_id = ${actor.userId}`.execute(db);
  const r = row.rows[0] ?? { upcoming: 0, offers: 0, certificates: 0 };
  return {
    title: 'Mes formations',
    rank: 40,
    ...(r.offers > 0 ? { text: 'Une place s’est libérée pour vous : confirmez-la dans les 48 heures.' } : {}),
    facts: [
      n(r.upcoming, 'formation à venir', 'formations à venir'),
      n(r.certificates, 'attestation', 'attestations'),
    ],
    action:
      r.offers > 0
        ? { href: '/formations/mes-inscriptions', label: 'Confirmer ma place' }
        : { href: '/formations', label: 'Voir le catalogue des formations' },
    links: [{ href: '/formations/mes-inscriptions', label: 'Mes inscriptions et attestations' }],
  };
};

/** Coordinators and administrators: sessions to organise, habilitations to grant. */
export const organiserBlock: SpaceSection = async ({ db }, actor) => {
  if (!isAdmin(actor) && organiserCollectivites(actor).length === 0) return null;
  const proposals = await habilitationProposals(db, actor);
  return {
    title: 'Formations',
    rank: 42,
    ...(proposals.length > 0
      ? {
          text: `${n(proposals.length, 'habilitation aux mandats attend', 'habilitations aux mandats attendent')} votre accord après une formation.`,
        }
      : {}),
    action: { href: '/formations/gestion/sessions/nouvelle', label: 'Créer une session de formation' },
    links: [
      { href: '/formations/equipe', label: 'Formations de mon équipe' },
      { href: '/formations/gestion', label: 'Sessions de formation' },
      { href: '/formations', label: 'Catalogue des formations' },
    ],
  };
};

/** Trainers (formateurs): the sessions they run, finally in a space of their own. */
export const trainerBlock: SpaceSection = async ({ db }, actor) => {
  if (!actor.memberships.some((m) => m.role === 'formateur')) return null;
  const row = await sql<{ upcoming: number }>`
    select count(*)::int as upcoming from formation_formateur f
    join formation_session s on s.id = f.session_id
    where f.user_id = ${actor.userId} and s.status = 'active'
      and exists (select 1 from formation_demi_journee d where d.session_id = s.id and d.ends_at > now())`.execute(
    db,
  );
  return {
    title: 'Sessions que j’anime',
    rank: 20,
    facts: [n(row.rows[0]?.upcoming ?? 0, 'session à venir', 'sessions à venir')],
    links: [
      { href: '/formations/gestion', label: 'Mes sessions : inscrits, présences, attestations' },
      { href: '/formations', label: 'Catalogue des formations' },
    ],
  };
};

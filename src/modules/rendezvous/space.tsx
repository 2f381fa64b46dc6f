import { can } from '../../platform/auth/policy.ts';
import type { PersonRecordSection, SpaceSection } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { findPublishedPlace, placeSummaries } from '../lieux/index.ts';
import { helperCollectivites, helperPlaces, requireHelper } from '../mediateurs/index.ts';
import { helperFigures, personAppointments } from './agenda.ts';
import { smsCounter } from './messages.ts';
import { STATUSES } from './vocabulary.ts';

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/** A helper's appointments: today, this week, what is left to note and to report. */
export const appointmentsBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  const [f, all] = await Promise.all([helperFigures(db, helper.userId), helperPlaces(db, helper.userId)]);
  // The booking pages are those of published places only.
  const places = (await Promise.all(all.map((p) => findPublishedPlace(db, p.id)))).filter(
    (p) => p !== undefined,
  );
  return {
    title: 'Rendez-vous',
    rank: 25,
    ...(f.toReport > 0
      ? {
          text: `${plural(f.toReport, 'rendez-vous honoré attend', 'rendez-vous honorés attendent')} son compte rendu.`,
        }
      : {}),
    facts: [
      `${plural(f.today, 'rendez-vous', 'rendez-vous')} aujourd’hui`,
      `${plural(f.week, 'rendez-vous', 'rendez-vous')} dans les 7 jours`,
      `${plural(f.toNote, 'rendez-vous passé', 'rendez-vous passés')} sans présence notée`,
    ],
    action: { href: '/rendezvous/agenda', label: 'Mon agenda' },
    links: [
      ...places.map((p) => ({
        href: `/rendezvous/lieux/${p.id}`,
        label: `Prendre un rendez-vous pour quelqu’un : ${p.nom}`,
      })),
      ...places.map((p) => ({
        href: `/rendezvous/lieux/${p.id}/reglages`,
        label: `Motifs et plages : ${p.nom}`,
      })),
      { href: '/rendezvous/absences', label: 'Mes absences' },
    ],
  };
};

/** A coordinator's view: the SMS budget of reminders and the agendas of the collectivité's places. */
export const coordinationBlock: SpaceSection = async ({ db }, actor) => {
  if (actor.kind !== 'user' || actor.activeCollectiviteId === null) return null;
  const collectiviteId = actor.activeCollectiviteId;
  if (!can(actor, 'appointments.oversee', { collectiviteId }) || helperCollectivites(actor).length > 0)
    return null;
  const counter = await smsCounter(db, collectiviteId);
  const withReasons = await db
    .selectFrom('rdv_motif')
    .select('lieu_id')
    .distinct()
    .where('collectivite_id', '=', collectiviteId)
    .where('actif', '=', true)
    .limit(20)
    .execute();
  const places = await placeSummaries(
    db,
    withReasons.map((r) => r.lieu_id),
  );
  return {
    title: 'Rendez-vous des lieux',
    rank: 55,
    facts: [
      `${counter.sent} SMS de rappel envoyés ce mois-ci sur ${counter.budget} prévus`,
      `${plural(places.length, 'lieu propose', 'lieux proposent')} des rendez-vous`,
    ],
    links: [
      { href: '/rendezvous/sms', label: 'Budget de SMS des rappels' },
      ...places.map((p) => ({ href: `/rendezvous/lieux/${p.id}/agenda`, label: `Agenda : ${p.nom}` })),
    ],
  };
};

/** On a person's record: their appointments, absences included. */
export const personAppointmentsBlock: PersonRecordSection = async ({ db }, actor, person) => {
  if (helperCollectivites(actor).length === 0) return null;
  const rows = await personAppointments(db, requireHelper(actor), person.id);
  if (rows.length === 0) return null;
  const missed = rows.filter((r) => r.status === 'absent').length;
  return (
    <>
      <p
        safe
      >{`${plural(rows.length, 'rendez-vous', 'rendez-vous')}, dont ${plural(missed, 'absence', 'absences')}.`}</p>
      <ul>
        {rows.map((r) => (
          <li safe>{`${formatDateTime(r.starts_at)} : ${r.motif_nom} — ${STATUSES[r.status]}`}</li>
        ))}
      </ul>
    </>
  );
};

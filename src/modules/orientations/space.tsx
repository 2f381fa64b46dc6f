import { isAdmin } from '../../platform/auth/policy.ts';
import type { ActivityReportSection, PersonRecordSection, SpaceSection } from '../../platform/module.ts';
import { formatDay } from '../../platform/paris-time.ts';
import { participationHistory } from '../activites/index.ts';
import { helperCollectivites, requireHelper } from '../mediateurs/index.ts';
import { receivedDashboard, sentDashboard } from './lists.ts';
import { statisticsScopeOf } from './statistics.ts';
import { readTimers } from './timers.ts';

/** A helper's referrals: what their places have to answer, and where the ones they sent stand. */
export const referralsBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  const [sent, received] = await Promise.all([sentDashboard(db, helper), receivedDashboard(db, helper)]);
  const n = (s: typeof sent, ...keys: (keyof typeof s.byStatus)[]) =>
    keys.reduce((sum, k) => sum + (s.byStatus[k] ?? 0), 0);
  return {
    title: 'Orientations',
    rank: 35,
    facts: [
      `${n(received, 'envoyee', 'a_l_etude')} à traiter / ${received.total} reçues`,
      `${n(sent, 'envoyee', 'a_l_etude', 'acceptee')} en cours / ${sent.total} envoyées`,
    ],
    action: { href: '/orientations/nouvelle', label: 'Orienter une personne' },
    links: [
      { href: '/orientations', label: 'Mes orientations envoyées' },
      { href: '/orientations/recues', label: 'Orientations reçues' },
    ],
  };
};

/** For coordinators and the OPSN's administrators: the referrals' indicators. */
export const statisticsBlock: SpaceSection = async (_ctx, actor) => {
  if (!statisticsScopeOf(actor)) return null;
  return {
    title: 'Statistiques des orientations',
    rank: 46,
    text: 'Orientations par état et par mois, taux d’acceptation, délai de réponse des structures, raisons des refus.',
    links: [{ href: '/orientations/statistiques', label: 'Voir les statistiques des orientations' }],
  };
};

/** For the OPSN's administrators: the delays of referrals. */
export const timersBlock: SpaceSection = async ({ db }, actor) => {
  if (!isAdmin(actor)) return null;
  const t = await readTimers(db);
  return {
    title: 'Délais des orientations',
    rank: 45,
    facts: [
      `Relance tous les ${t.reminderDays} jours, alerte des coordinateurs après ${t.escalateAfter} relance${t.escalateAfter > 1 ? 's' : ''}`,
      `Expiration après ${t.expiryDays} jours sans réponse, ${t.studyExpiryDays} jours à l’étude`,
    ],
    links: [{ href: '/admin/orientations', label: 'Changer les délais des orientations' }],
  };
};

/**
 * On a person's record: refer them elsewhere; when their last report says « orientation : oui »,
 * the referral starts from it (its date and themes in the reason).
 */
export const personReferrals: PersonRecordSection = async ({ db }, actor, person) => {
  if (helperCollectivites(actor).length === 0) return null;
  const history = await participationHistory(db, person.id);
  const report = history[0]?.oriente ? history[0] : undefined;
  return (
    <p>
      {report ? (
        <>
          <a href={`/orientations/nouvelle?beneficiaire=${person.id}&origine=compte_rendu`} safe>
            {`Envoyer l’orientation décidée le ${formatDay(String(report.date).slice(0, 10))}`}
          </a>{' '}
          (son dernier compte rendu dit « orientée »), ou{' '}
        </>
      ) : (
        ''
      )}
      <a href={`/orientations/nouvelle?beneficiaire=${person.id}&origine=fiche`}>Orienter cette personne</a>{' '}
      vers un autre lieu ou service, avec son accord.
    </p>
  );
};

/**
 * On a helper's report: refer the person it names (or one of them) elsewhere, the reason
 * starting from the report when it says « orientation : oui ». Anonymous participants cannot
 * be referred: a referral names the person.
 */
export const reportReferrals: ActivityReportSection = async (_ctx, actor, report) => {
  if (helperCollectivites(actor).length === 0 || report.people.length === 0) return null;
  const origine = report.oriente ? 'compte_rendu' : 'fiche';
  const href =
    report.people.length === 1
      ? `/orientations/nouvelle?beneficiaire=${report.people[0]}&origine=${origine}`
      : `/orientations/nouvelle?origine=${origine}`;
  const label = report.people.length === 1 ? 'Orienter cette personne' : 'Orienter un des participants';
  return (
    <p>
      <a href={href}>{label}</a> vers un autre lieu ou service, avec son accord
      {report.oriente ? ' : ce compte rendu dit « orientée ».' : '.'}
    </p>
  );
};

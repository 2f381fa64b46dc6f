import { formatDay, formatMonth } from '../../platform/paris-time.ts';
import { Notice, safeNumber } from '../../platform/ui/components.tsx';
import { Table } from '../../platform/ui/table.tsx';
import type { ReferralStatistics } from './statistics.ts';
import { REFUSAL_REASONS, STATUSES, type Status } from './vocabulary.ts';

const percent = (rate: number | null) =>
  rate === null ? 'trop peu d’orientations pour le dire' : `${Math.round(rate * 100)} %`;

/** The referrals' indicators for coordinators and the OPSN (rounded counts, whole months). */
export function StatisticsPage(props: { stats: ReferralStatistics; scopeLabel: string }): JSX.Element {
  const s = props.stats;
  const lastDay = new Date(`${s.period.to}T12:00:00Z`);
  lastDay.setUTCDate(lastDay.getUTCDate() - 1);
  return (
    <>
      <h1>Statistiques des orientations</h1>
      <p safe>
        {`${props.scopeLabel}, du ${formatDay(s.period.from)} au ${formatDay(lastDay.toISOString().slice(0, 10))} (les 12 derniers mois complets).`}
      </p>
      <Notice>
        <p>
          Pour protéger les personnes orientées, chaque nombre d’un mois est arrondi au multiple de 5 le plus
          proche (1 ou 2 comptent 0) ; les totaux et les taux sont calculés sur ces nombres arrondis. Le délai
          de réponse n’est donné que pour une structure qui a répondu au moins 5 fois.
        </p>
      </Notice>
      <h2>En bref</h2>
      <ul>
        <li safe>{`${safeNumber(s.total)} orientations (arrondi)`}</li>
        <li safe>{`Taux d’acceptation : ${percent(s.acceptanceRate)}`}</li>
        <li
          safe
        >{`Personnes reçues parmi les orientations acceptées et closes : ${percent(s.honourRate)}`}</li>
        <li safe>{`Délai médian de réponse : ${
          s.medianResponseDays === null
            ? 'trop peu de réponses pour le dire'
            : `${s.medianResponseDays.toLocaleString('fr-FR')} j`
        }`}</li>
      </ul>
      <Table caption="Orientations par état" columns={['État', 'Orientations']}>
        {(Object.keys(STATUSES) as Status[]).map((status) => (
          <tr>
            <th scope="row">{STATUSES[status]}</th>
            <td>{safeNumber(s.byStatus[status] ?? 0)}</td>
          </tr>
        ))}
      </Table>
      {s.byMonth.length === 0 ? (
        <p>Aucune orientation sur la période.</p>
      ) : (
        <Table caption="Orientations envoyées par mois" columns={['Mois', 'Orientations']}>
          {s.byMonth.map((m) => (
            <tr>
              <th scope="row" safe>
                {formatMonth(m.month)}
              </th>
              <td>{safeNumber(m.n)}</td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Orientations par thème</h2>
      {s.byTheme.length === 0 ? (
        <p>Pas d’orientation à montrer par thème sur la période (après arrondi).</p>
      ) : (
        <Table
          caption="Orientations par thème (le service du lieu vers lequel la personne est orientée)"
          columns={['Thème', 'Orientations']}
        >
          {s.byTheme.map((c) => (
            <tr>
              <th scope="row" safe>
                {c.theme ?? 'Services hors du territoire (data·inclusion)'}
              </th>
              <td>{safeNumber(c.n)}</td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Délai de réponse par structure qui reçoit</h2>
      {s.responseTimes.length === 0 ? (
        <p>Aucune structure n’a répondu au moins 5 fois sur la période.</p>
      ) : (
        <Table
          caption="Délai médian de réponse (en jours, de l’envoi à l’acceptation ou au refus)"
          columns={['Structure', 'Réponses (arrondi)', 'Délai médian']}
        >
          {s.responseTimes.map((t) => (
            <tr>
              <th scope="row" safe>
                {t.structure}
              </th>
              <td>{safeNumber(t.answers)}</td>
              <td safe>{`${t.medianDays.toLocaleString('fr-FR')} j`}</td>
            </tr>
          ))}
        </Table>
      )}
      {s.structuresHidden > 0 ? (
        <p
          safe
        >{`${safeNumber(s.structuresHidden)} structure(s) avec moins de 5 réponses ne sont pas détaillées.`}</p>
      ) : (
        ''
      )}
      <h2>Raisons des refus</h2>
      {s.refusals.length === 0 ? (
        <p>Pas de refus à montrer sur la période (après arrondi).</p>
      ) : (
        <Table
          caption="Raisons des refus (une orientation peut en avoir plusieurs)"
          columns={['Raison', 'Refus']}
        >
          {s.refusals.map((r) => (
            <tr>
              <th scope="row">{REFUSAL_REASONS[r.reason]}</th>
              <td>{safeNumber(r.n)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

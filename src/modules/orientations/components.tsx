import { labelsOf } from '../../platform/forms.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { safeNumber } from '../../platform/ui/components.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { type Dashboard, PAGE_SIZE } from './lists.ts';
import type { Referral } from './referral.ts';
import { REFUSAL_REASONS, STATUSES, type Status } from './vocabulary.ts';

export function StatusTag({ status }: { status: Status }): JSX.Element {
  return <span class={`orientation-status orientation-status--${status}`}>{STATUSES[status]}</span>;
}

export type ReferralFormValues = Partial<Record<string, string>>;

export function DashboardCounts(props: {
  dashboard: Dashboard;
  pending: number;
  pendingLabel: string;
  totalLabel: string;
}): JSX.Element {
  return (
    <p class="orientation-dashboard">
      <strong safe>{`${safeNumber(props.pending)} ${props.pendingLabel}`}</strong>
      {' / '}
      <span safe>{`${safeNumber(props.dashboard.total)} ${props.totalLabel}`}</span>
    </p>
  );
}

export function StatusFilter(props: {
  base: string;
  current: Status | undefined;
  dashboard: Dashboard;
}): JSX.Element {
  return (
    <nav aria-label="Filtrer par état" class="orientation-filters">
      <ul>
        <li>
          <a href={props.base} aria-current={props.current ? undefined : 'page'}>
            Toutes
          </a>
        </li>
        {(Object.keys(STATUSES) as Status[]).map((s) => (
          <li>
            <a
              href={`${props.base}?statut=${s}`}
              aria-current={props.current === s ? 'page' : undefined}
              safe
            >
              {`${STATUSES[s]} (${safeNumber(props.dashboard.byStatus[s] ?? 0)})`}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export const pagesOf = (count: number) => Math.max(1, Math.ceil(count / PAGE_SIZE));

export function AnswerSummary({ r }: { r: Referral }): JSX.Element {
  return (
    <SummaryList
      rows={[
        ['Réponse le', r.answered_at ? formatDateTime(r.answered_at) : null],
        ['Réponse de', r.answered_by_label],
        ['Raisons du refus', r.refusal_reasons.length ? labelsOf(REFUSAL_REASONS, r.refusal_reasons) : null],
        ['Message', r.answer_message],
      ]}
      hideEmpty
    />
  );
}

export const contactOf = (r: Referral) =>
  r.contact_preference === 'telephone'
    ? r.telephone
    : r.contact_preference === 'email'
      ? r.email
      : r.contact_preference === 'autre'
        ? r.contact_autre
        : `par ${r.sender_name} (${r.sender_email})`;

import { vocabularyOptions } from '../../../platform/forms.ts';
import { formatDateTime } from '../../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Flash,
  Notice,
  Select,
  TextArea,
} from '../../../platform/ui/components.tsx';
import { Pagination } from '../../../platform/ui/pagination.tsx';
import { SummaryList } from '../../../platform/ui/summary.tsx';
import { Table } from '../../../platform/ui/table.tsx';
import {
  AnswerSummary,
  contactOf,
  DashboardCounts,
  pagesOf,
  type ReferralFormValues,
  StatusFilter,
  StatusTag,
} from '../components.tsx';
import type { Dashboard } from '../lists.ts';
import { availabilityOf, consentSummary, fullNameOf, type Referral, shortNameOf } from '../referral.ts';
import { CONTACT_PREFERENCES, LINK_DAYS, NEW_PERSON, REFUSAL_REASONS, type Status } from '../vocabulary.ts';

export function ReceivedListPage(props: {
  dashboard: Dashboard;
  status: Status | undefined;
  rows: Referral[];
  count: number;
  page: number;
}): JSX.Element {
  const d = props.dashboard;
  const pending = (d.byStatus.envoyee ?? 0) + (d.byStatus.a_l_etude ?? 0);
  const query = props.status ? `statut=${props.status}&` : '';
  return (
    <>
      <h1>Orientations reçues</h1>
      <p>Les orientations vers vos lieux d’activité, quelle que soit la structure qui les envoie.</p>
      <DashboardCounts dashboard={d} pending={pending} pendingLabel="à traiter" totalLabel="reçues" />
      <StatusFilter base="/orientations/recues" current={props.status} dashboard={d} />
      <p>
        <a href={`/orientations/export.xlsx?sens=recues${props.status ? `&statut=${props.status}` : ''}`}>
          Télécharger ces orientations (tableur XLSX)
        </a>
      </p>
      {props.rows.length === 0 ? (
        <p>Aucune orientation {props.status ? 'dans cet état' : 'reçue pour l’instant'}.</p>
      ) : (
        <Table
          caption="Orientations reçues, les plus récentes d’abord"
          columns={['Date', 'Personne', 'Lieu et service', 'Envoyée par', 'État']}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{formatDateTime(r.created_at)}</td>
              <td>
                <a href={`/orientations/recues/${r.id}`} safe>
                  {r.status === 'acceptee' || r.status === 'honoree' || r.status === 'non_honoree'
                    ? fullNameOf(r)
                    : shortNameOf(r)}
                </a>
              </td>
              <td safe>{`${r.destination_name} — ${r.service}`}</td>
              <td safe>{r.sender_name}</td>
              <td>
                <StatusTag status={r.status} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination
        page={props.page}
        pages={pagesOf(props.count)}
        href={(p) => `/orientations/recues?${query}page=${p}`}
      />
    </>
  );
}

/**
 * What the receiving side sees and does, through the link or signed in: `action` is the base of
 * its forms (`/orientations/reponse/<token>` or `/orientations/recues/<id>`).
 */
export function ReceiverReferralPage(props: {
  r: Referral;
  action: string;
  csrf: string;
  personMessage: string;
  errors?: FieldErrors;
  values?: ReferralFormValues;
  flash?: string | undefined;
  error?: string | undefined;
  /** The receiving helper's people, to link the accepted referral to their record (members only). */
  people?: { value: string; label: string }[] | undefined;
  /** Until when the link works (link only). */
  linkExpires?: Date | undefined;
}): JSX.Element {
  const r = props.r;
  const accepted = r.status === 'acceptee' || r.status === 'honoree' || r.status === 'non_honoree';
  const open = r.status === 'envoyee' || r.status === 'a_l_etude';
  const e = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <>
      <h1 safe>{`Orientation de ${accepted ? fullNameOf(r) : shortNameOf(r)}`}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      {props.error ? (
        <Notice>
          <p safe>{props.error}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        État : <StatusTag status={r.status} />
      </p>
      <SummaryList
        rows={[
          ['Reçue le', formatDateTime(r.created_at)],
          ['Lieu', r.destination_name],
          ['Service', r.service],
          ['Envoyée par', `${r.sender_name} (${r.sender_email})`],
          ['À l’attention de', r.destination_referent],
          ['Disponible', availabilityOf(r)],
          ['Motif', r.motif],
          ['Consentement', consentSummary(r)],
          [
            'Contact de la personne',
            accepted
              ? `${CONTACT_PREFERENCES[r.contact_preference]} : ${contactOf(r) ?? ''}`
              : r.status === 'retiree'
                ? 'La personne a retiré son accord.'
                : 'Visible une fois l’orientation acceptée.',
          ],
        ]}
      />
      {r.answered_at ? (
        <>
          <h2>Réponse</h2>
          <AnswerSummary r={r} />
        </>
      ) : (
        ''
      )}
      {props.linkExpires ? (
        <p class="orientation-link" safe>
          {`Ce lien reste valable jusqu’au ${formatDateTime(props.linkExpires)}. Ne le transférez pas.`}
        </p>
      ) : (
        ''
      )}
      {open ? (
        <>
          {r.status === 'envoyee' ? (
            <form method="post" action={`${props.action}/etude`}>
              <CsrfField token={props.csrf} />
              <button type="submit" class="button button--secondary">
                Mettre à l’étude
              </button>
            </form>
          ) : (
            ''
          )}
          <form method="post" action={`${props.action}/accepter`} class="orientation-answer">
            <CsrfField token={props.csrf} />
            <h2>Accepter</h2>
            <TextArea
              name="message"
              label="Message à la personne qui a orienté (facultatif)"
              value={v.message}
              error={e.message}
              rows={3}
            />
            <TextArea
              name="message_personne"
              label="Message à la personne orientée"
              hint="Envoyé par SMS ou courriel selon sa préférence ; 480 caractères au plus."
              value={v.message_personne ?? props.personMessage}
              error={e.message_personne}
              rows={3}
            />
            <button type="submit" class="button">
              Accepter l’orientation
            </button>
          </form>
          <form method="post" action={`${props.action}/refuser`} class="orientation-answer">
            <CsrfField token={props.csrf} />
            <h2>Refuser</h2>
            <ChoiceGroup
              type="checkbox"
              name="motifs"
              legend="Raisons du refus"
              hint="Au moins une."
              options={vocabularyOptions(REFUSAL_REASONS)}
              checked={v.motifs ? v.motifs.split(',') : []}
              error={e.motifs}
            />
            <TextArea
              name="refus_message"
              label="Message à la personne qui a orienté"
              value={v.refus_message}
              error={e.refus_message}
              rows={3}
            />
            <button type="submit" class="button button--secondary">
              Refuser l’orientation
            </button>
          </form>
          <p>
            Une question ? Écrivez à{' '}
            <a href={`mailto:${r.sender_email}`} safe>
              {r.sender_name}
            </a>
            .
          </p>
        </>
      ) : r.status === 'acceptee' ? (
        <>
          {props.action.startsWith('/orientations/recues') ? (
            <RecordLink r={r} action={props.action} csrf={props.csrf} people={props.people} error={e.fiche} />
          ) : (
            ''
          )}
          <form method="post" action={`${props.action}/cloture`} class="orientation-answer">
            <CsrfField token={props.csrf} />
            <h2>La personne est-elle venue ?</h2>
            <p class="button-group">
              <button type="submit" name="honoree" value="oui" class="button">
                Oui, elle a été reçue
              </button>
              <button type="submit" name="honoree" value="non" class="button button--secondary">
                Non, elle n’est pas venue
              </button>
            </p>
          </form>
        </>
      ) : (
        ''
      )}
    </>
  );
}

/**
 * For a helper of the receiving place, once accepted: link the referral to their own record of
 * the person; an activity of that record then closes it as honoured (loop.ts).
 */
function RecordLink(props: {
  r: Referral;
  action: string;
  csrf: string;
  people: { value: string; label: string }[] | undefined;
  error: string | undefined;
}): JSX.Element {
  const id = props.r.received_beneficiaire_id;
  if (id)
    return (
      <section class="orientation-answer" aria-labelledby="fiche">
        <h2 id="fiche">Sa fiche dans vos accompagnements</h2>
        <p>
          L’orientation est reliée à <a href={`/beneficiaires/${id}`}>sa fiche</a>. Quand vous{' '}
          <a href={`/activites/nouveau?beneficiaire=${id}`}>enregistrez son accompagnement</a>, ou notez sa
          présence à un rendez-vous, l’orientation est notée honorée.
        </p>
      </section>
    );
  return (
    <form method="post" action={`${props.action}/fiche`} class="orientation-answer">
      <CsrfField token={props.csrf} />
      <h2>Sa fiche dans vos accompagnements</h2>
      <p>
        Reliez l’orientation à la fiche de la personne chez vous : dès que vous enregistrez un accompagnement
        pour elle, ou notez sa présence à un rendez-vous, l’orientation est notée honorée.
      </p>
      <Select
        name="fiche"
        label="Fiche de la personne"
        options={[
          { value: NEW_PERSON, label: 'Créer sa fiche à partir de l’orientation' },
          ...(props.people ?? []),
        ]}
        value={NEW_PERSON}
        error={props.error}
      />
      <button type="submit" class="button button--secondary">
        Relier
      </button>
    </form>
  );
}

/** A link that cannot be used: altered, unknown, expired or replaced (the last two can be renewed). */
export function LinkProblemPage(props: {
  state: 'invalid' | 'expired' | 'replaced';
  renewAction?: string | undefined;
  csrf: string;
  renewed?: boolean;
}): JSX.Element {
  const title =
    props.state === 'invalid'
      ? 'Ce lien n’est pas valide'
      : props.state === 'expired'
        ? 'Ce lien a expiré'
        : 'Ce lien a été remplacé';
  return (
    <>
      <h1>{title}</h1>
      {props.renewed ? (
        <Notice kind="success">
          <p>Un nouveau lien a été envoyé à l’adresse de contact du lieu. Consultez sa messagerie.</p>
        </Notice>
      ) : props.state === 'invalid' ? (
        <p>Vérifiez que vous avez copié le lien en entier depuis le courriel reçu.</p>
      ) : (
        <>
          <p>
            {props.state === 'expired'
              ? `Les liens vers une orientation sont valables ${LINK_DAYS} jours.`
              : 'Un lien plus récent a été envoyé pour cette orientation : utilisez le dernier courriel reçu.'}
          </p>
          {props.renewAction ? (
            <form method="post" action={props.renewAction}>
              <CsrfField token={props.csrf} />
              <p>Le nouveau lien est envoyé à l’adresse de contact du lieu, pas à vous directement.</p>
              <button type="submit" class="button">
                Recevoir un nouveau lien
              </button>
            </form>
          ) : (
            <p>Cette orientation n’attend plus de réponse.</p>
          )}
        </>
      )}
    </>
  );
}

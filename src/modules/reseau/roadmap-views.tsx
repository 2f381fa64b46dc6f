import { vocabularyOptions } from '../../platform/forms.ts';
import { formatDay } from '../../platform/paris-time.ts';
import {
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  PostButton,
  Select,
} from '../../platform/ui/components.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { type ActionDetail, type Grant, money } from './action-finance.ts';
import type { RoadmapDocument } from './roadmap-documents.ts';
import { DocumentVersions } from './views.tsx';
import { GRANT_STATUSES } from './vocabulary.ts';

type Values = Record<string, string | undefined>;
type Choice = { value: string; label: string };

/** A grant request's decision in words: its date, and what was granted. */
export function grantDecision(g: Grant): string {
  if (g.status === 'acceptee' && g.decision_le && g.montant_accorde !== null)
    return `Accordée le ${formatDay(g.decision_le)} : ${money(g.montant_accorde)}`;
  if (g.status === 'refusee' && g.decision_le) return `Refusée le ${formatDay(g.decision_le)}`;
  return '—';
}

/** An action's porteurs, co-financings and grant requests, each with the form that adds one. */
export function ActionFinancePage(props: {
  action: ActionDetail;
  members: Choice[];
  values: Values;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  const a = props.action;
  const e = props.errors;
  const base = `/admin/reseau/actions/${a.id}`;
  return (
    <>
      <h1 safe>{a.titre}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      <p>
        <span safe>{`Feuille de route : ${a.roadmap}. `}</span>
        <a href={`${base}/modifier`}>Modifier l’action</a>
        {' · '}
        <a href="/admin/reseau/feuille-de-route">Retour à la feuille de route</a>
      </p>
      <SummaryList
        rows={[
          ['Budget', a.budget === null ? 'Pas de budget saisi' : money(a.budget)],
          ['Total cofinancé', money(a.cofinance)],
          ['Reste à financer', a.reste === null ? '—' : money(a.reste)],
        ]}
      />

      <h2>Porteurs</h2>
      {a.porteurs.length === 0 ? (
        <p>Aucun porteur pour l’instant.</p>
      ) : (
        <ul>
          {a.porteurs.map((p) => (
            <li>
              <span safe>{p.nom}</span>{' '}
              <PostButton
                action={`${base}/porteurs/${p.id}/retrait`}
                csrf={props.csrf}
                label="Retirer"
                hidden={`${p.nom} des porteurs`}
              />
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${base}/porteurs`} novalidate>
        <CsrfField token={props.csrf} />
        <Select
          name="porteur"
          label="Ajouter un porteur (membre du réseau)"
          options={[{ value: '', label: 'Choisissez un membre' }, ...props.members]}
          value={props.values.porteur}
          error={e.porteur}
        />
        <button type="submit" class="button button--secondary">
          Ajouter le porteur
        </button>
      </form>

      <h2>Cofinancements</h2>
      {a.cofinancements.length === 0 ? (
        <p>Aucun cofinancement pour l’instant.</p>
      ) : (
        <Table caption="Cofinancements de l’action" captionHidden columns={['Membre', 'Montant', 'Retirer']}>
          {a.cofinancements.map((c) => (
            <tr>
              <td safe>{c.membre}</td>
              <td safe>{money(c.montant)}</td>
              <td>
                <PostButton
                  action={`${base}/cofinancements/${c.id}/retrait`}
                  csrf={props.csrf}
                  label="Retirer"
                  hidden={`le cofinancement de ${c.membre} (${money(c.montant)})`}
                />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <form method="post" action={`${base}/cofinancements`} novalidate>
        <CsrfField token={props.csrf} />
        <Select
          name="cofinanceur"
          label="Membre qui cofinance"
          options={[{ value: '', label: 'Choisissez un membre' }, ...props.members]}
          value={props.values.cofinanceur}
          error={e.cofinanceur}
        />
        <Field
          name="montant"
          label="Montant en euros"
          hint="En euros entiers, par exemple 12 500."
          value={props.values.montant}
          error={e.montant}
          inputClass="input--short"
        />
        <button type="submit" class="button button--secondary">
          Ajouter le cofinancement
        </button>
      </form>

      <h2>Demandes de subvention</h2>
      {a.subventions.length === 0 ? (
        <p>Aucune demande de subvention pour l’instant.</p>
      ) : (
        <Table
          caption="Demandes de subvention de l’action"
          captionHidden
          columns={['Financeur', 'Montant demandé', 'Déposée le', 'Statut', 'Décision']}
        >
          {a.subventions.map((g) => (
            <tr>
              <td>
                <a href={`/admin/reseau/subventions/${g.id}`} safe>
                  {g.financeur}
                </a>
              </td>
              <td safe>{money(g.montant_demande)}</td>
              <td safe>{formatDay(g.deposee_le)}</td>
              <td>{GRANT_STATUSES[g.status]}</td>
              <td safe>{grantDecision(g)}</td>
            </tr>
          ))}
        </Table>
      )}
      <form method="post" action={`${base}/subventions`} novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="financeur"
          label="Financeur"
          hint="Par exemple : État (ANCT), Région, Département, fonds européen."
          value={props.values.financeur}
          error={e.financeur}
        />
        <Field
          name="montant_demande"
          label="Montant demandé en euros"
          value={props.values.montant_demande}
          error={e.montant_demande}
          inputClass="input--short"
        />
        <Field
          name="depot"
          type="date"
          label="Date de dépôt"
          value={props.values.depot}
          error={e.depot}
          inputClass="input--short"
        />
        <button type="submit" class="button button--secondary">
          Enregistrer la demande
        </button>
      </form>
    </>
  );
}

/** One grant request and the form that changes where it stands. */
export function GrantPage(props: {
  grant: Grant & { action_id: string; action: string };
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  const g = props.grant;
  return (
    <>
      <h1 safe>{`Demande de subvention : ${g.financeur}`}</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        <a href={`/admin/reseau/actions/${g.action_id}`} safe>
          {`Retour à l’action « ${g.action} »`}
        </a>
      </p>
      <SummaryList
        rows={[
          ['Montant demandé', money(g.montant_demande)],
          ['Déposée le', formatDay(g.deposee_le)],
          ['Statut', GRANT_STATUSES[g.status]],
          ['Décision', grantDecision(g)],
        ]}
      />
      <h2>Changer le statut</h2>
      <form method="post" action={`/admin/reseau/subventions/${g.id}`} novalidate>
        <CsrfField token={props.csrf} />
        <Select
          name="statut"
          label="Statut"
          options={vocabularyOptions(GRANT_STATUSES)}
          value={props.values.statut}
          error={props.errors.statut}
        />
        <Field
          name="decision"
          type="date"
          label="Date de la décision (acceptée ou refusée)"
          value={props.values.decision}
          error={props.errors.decision}
          inputClass="input--short"
        />
        <Field
          name="accorde"
          label="Montant accordé en euros (acceptée)"
          value={props.values.accorde}
          error={props.errors.accorde}
          inputClass="input--short"
        />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

/** A roadmap's document: its versions, and the form that adds one. */
export function RoadmapDocumentsPage(props: {
  roadmap: { id: string; nom: string; publique: boolean };
  documents: RoadmapDocument[];
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1 safe>{`Document de « ${props.roadmap.nom} »`}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      <p>
        {props.roadmap.publique
          ? 'La feuille de route est publique : chaque version se télécharge depuis la page publique.'
          : 'La feuille de route est réservée à la coordination : ses documents aussi.'}{' '}
        Chaque envoi ajoute une version ; aucune n’est remplacée.
      </p>
      <h2>Versions</h2>
      <DocumentVersions roadmapId={props.roadmap.id} documents={props.documents} />
      <h2>Envoyer une nouvelle version</h2>
      <form
        method="post"
        action={`/admin/reseau/feuilles-de-route/${props.roadmap.id}/documents`}
        enctype="multipart/form-data"
        novalidate
      >
        <CsrfField token={props.csrf} />
        <Field
          name="document"
          type="file"
          accept="application/pdf,.pdf"
          label="Document PDF (20 Mo au plus)"
          error={props.errors.document}
        />
        <button type="submit" class="button">
          Envoyer la version
        </button>
      </form>
    </>
  );
}

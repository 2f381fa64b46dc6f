import { vocabularyOptions } from '../../platform/forms.ts';
import { formatDate, formatDateTime } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Flash,
  fieldId,
  Notice,
  Select,
  TextArea,
} from '../../platform/ui/components.tsx';
import type { PlaceSummary } from '../lieux/index.ts';
import { safeDay } from './flow-views.tsx';
import type { Mandate, MandateRow } from './service.ts';
import {
  DEMANDEURS,
  DEMARCHES,
  DUREES,
  demarcheLabel,
  isDuree,
  PIECES_IDENTITE,
  STATUTS,
  type Statut,
} from './vocabulary.ts';

export const safeDateTime = (d: Date | null) => (d ? formatDateTime(d) : '—');
export const safeDate = (d: Date | null) => (d ? formatDate(d) : '—');

export function StatusTag({ statut }: { statut: Statut }): JSX.Element {
  return <span class={`tag mandat-status mandat-status--${statut}`}>{STATUTS[statut]}</span>;
}

export type ListFilters = {
  vue: 'mes' | 'structure';
  lieu: string;
  statut: string;
  beneficiaire?: string | undefined;
};

export function ListPage(props: {
  rows: MandateRow[];
  filters: ListFilters;
  places: PlaceSummary[];
  personName?: string | undefined;
  flash?: string | undefined;
}): JSX.Element {
  const f = props.filters;
  return (
    <>
      <h1 safe>{props.personName ? `Mandats de ${props.personName}` : 'Mandats'}</h1>
      <Flash message={props.flash} />
      <p>
        Un mandat vous autorise à faire une démarche à la place d’une personne, avec son accord, pour une
        durée limitée.{' '}
      </p>
      <p>
        <a
          class="button"
          href={
            props.filters.beneficiaire
              ? `/mandats/nouveau?beneficiaire=${props.filters.beneficiaire}`
              : '/mandats/nouveau'
          }
        >
          Créer un mandat
        </a>
      </p>
      <form method="get" action="/mandats" class="activity-filters">
        {f.beneficiaire ? <input type="hidden" name="beneficiaire" value={f.beneficiaire} /> : ''}
        <Select
          name="vue"
          label="Mandats"
          value={f.vue}
          options={[
            { value: 'mes', label: 'Que j’ai créés' },
            { value: 'structure', label: 'De mes structures' },
          ]}
        />
        <Select
          name="lieu"
          label="Structure"
          value={f.lieu}
          options={[
            { value: '', label: 'Toutes mes structures' },
            ...props.places.map((p) => ({ value: p.id, label: p.nom })),
          ]}
        />
        <Select
          name="statut"
          label="État"
          value={f.statut}
          options={[
            { value: '', label: 'Tous' },
            ...(['actif', 'en_attente', 'expire', 'revoque', 'refuse', 'annule'] as const).map((s) => ({
              value: s,
              label: STATUTS[s],
            })),
          ]}
        />
        <button type="submit" class="button button--secondary">
          Afficher
        </button>
      </form>
      {props.rows.length === 0 ? (
        <p>Aucun mandat ne correspond à ces critères.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Mandats, du plus récent au plus ancien</caption>
            <thead>
              <tr>
                <th scope="col">Personne</th>
                <th scope="col">Démarches couvertes</th>
                <th scope="col">Structure</th>
                <th scope="col">Aidant</th>
                <th scope="col">État</th>
                <th scope="col">Fin</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/mandats/${r.id}`} safe>{`${r.prenom} ${r.nom}`}</a>
                  </td>
                  <td safe>
                    {(r.statut === 'actif' ? r.ouvertes : r.demarches).map(demarcheLabel).join(' ; ') || '—'}
                  </td>
                  <td safe>{r.lieu}</td>
                  <td safe>{r.mediateur ?? '—'}</td>
                  <td>
                    <StatusTag statut={r.statut} />
                  </td>
                  <td>{safeDate(r.fin)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export type MandateDetail = {
  m: Mandate;
  statut: Statut;
  place: { nom: string; commune: string };
  helperName: string | null;
  autorisations: {
    id: string;
    demarche: string;
    revoked_at: Date | null;
    replaced_by: string | null;
    requested_by: string | null;
    revocation_id: string | null;
  }[];
  uses: { id: string; demarche: string; description: string; created_at: Date; mediateur: string | null }[];
  revocations: {
    id: string;
    demarches: string[];
    requested_by: string;
    revoked_at: Date;
    par: string | null;
  }[];
  sms: { status: string; sent_at: Date; expires_at: Date; telephone: string } | undefined;
  beneficiaryName: string | undefined;
};

const FLASH: Record<string, string> = {
  cree: 'Le mandat est créé. Imprimez l’attestation et faites-la signer par la personne.',
  sms: 'La demande d’accord est envoyée par SMS. Le mandat sera actif quand la personne aura répondu « Oui ».',
  usage: 'L’utilisation du mandat est enregistrée.',
  annule: 'La demande est annulée : une réponse de la personne ne créera plus de mandat.',
};

export function DetailPage(props: {
  detail: MandateDetail;
  csrf: string;
  flash?: string | undefined;
  errors: FieldErrors;
  useValues: { demarche?: string; description?: string };
}): JSX.Element {
  const { m, statut, autorisations } = props.detail;
  const open = autorisations.filter((a) => a.revoked_at === null);
  const active = statut === 'actif';
  return (
    <>
      <h1 safe>{`Mandat de ${m.prenom} ${m.nom}`}</h1>
      <Flash message={props.flash ? FLASH[props.flash] : undefined} />
      <ErrorSummary errors={props.errors} />
      <p>
        <StatusTag statut={statut} />
      </p>
      {statut === 'en_attente' && props.detail.sms ? (
        <Notice>
          <p safe>
            {`Demande envoyée par SMS le ${safeDateTime(props.detail.sms.sent_at)} au ${props.detail.sms.telephone}. Sans réponse « Oui » avant le ${safeDateTime(props.detail.sms.expires_at)}, elle sera annulée.`}
          </p>
        </Notice>
      ) : (
        ''
      )}
      <dl class="summary-list">
        <dt>Personne</dt>
        <dd
          safe
        >{`${m.prenom} ${m.nom}${m.date_naissance ? `, née ou né le ${safeDay(m.date_naissance)}` : ''}`}</dd>
        <dt>Pièce d’identité vérifiée</dt>
        <dd safe>{PIECES_IDENTITE[m.piece_identite as keyof typeof PIECES_IDENTITE] ?? m.piece_identite}</dd>
        {props.detail.beneficiaryName && m.beneficiaire_id ? (
          <>
            <dt>Fiche</dt>
            <dd>
              <a href={`/beneficiaires/${m.beneficiaire_id}`} safe>
                {props.detail.beneficiaryName}
              </a>{' '}
              (<a href={`/mandats?beneficiaire=${m.beneficiaire_id}`}>tous ses mandats</a>)
            </dd>
          </>
        ) : (
          ''
        )}
        <dt>Structure</dt>
        <dd safe>{`${props.detail.place.nom} (${props.detail.place.commune})`}</dd>
        <dt>Aidant</dt>
        <dd safe>{props.detail.helperName ?? '—'}</dd>
        <dt>Durée</dt>
        <dd safe>{isDuree(m.duree) ? DUREES[m.duree].label : m.duree}</dd>
        <dt>Début</dt>
        <dd>{safeDateTime(m.debut)}</dd>
        <dt>Fin</dt>
        <dd>{safeDateTime(m.fin)}</dd>
        <dt>Accord</dt>
        <dd>{m.consentement === 'sms' ? 'À distance, par SMS' : 'En présence de la personne'}</dd>
        {m.empreinte ? (
          <>
            <dt>Empreinte</dt>
            <dd>
              <code class="mandat-fingerprint" safe>
                {m.empreinte}
              </code>
            </dd>
          </>
        ) : (
          ''
        )}
      </dl>
      {m.empreinte ? (
        <p class="button-group">
          <a class="button" href={`/mandats/${m.id}/attestation`}>
            Attestation à imprimer
          </a>
          <a class="button button--secondary" href={`/mandats/${m.id}/attestation.pdf`}>
            Attestation en PDF
          </a>
        </p>
      ) : (
        ''
      )}

      <h2>Démarches</h2>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Démarches couvertes par le mandat et leur état</caption>
          <thead>
            <tr>
              <th scope="col">Démarche</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {(autorisations.length > 0
              ? autorisations
              : m.demarches.map((d) => ({
                  demarche: d,
                  revoked_at: null,
                  replaced_by: null,
                  requested_by: null,
                  revocation_id: null,
                  id: d,
                }))
            ).map((a) => (
              <tr>
                <th scope="row" safe>
                  {demarcheLabel(a.demarche)}
                </th>
                <td>
                  {a.revoked_at ? (
                    <>
                      <span safe>{`Révoquée le ${safeDateTime(a.revoked_at)}`}</span>
                      {a.replaced_by ? (
                        <>
                          {' '}
                          (<a href={`/mandats/${a.replaced_by}`}>remplacée par un nouveau mandat</a>)
                        </>
                      ) : (
                        ''
                      )}
                    </>
                  ) : autorisations.length === 0 ? (
                    'Demandée'
                  ) : active ? (
                    'Couverte'
                  ) : (
                    <span>{STATUTS[statut]}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {active && open.length > 0 ? (
        <section aria-labelledby="declarer">
          <h2 id="declarer">Déclarer une utilisation</h2>
          <p>Chaque démarche faite au nom de la personne est déclarée ici, le jour même.</p>
          <form method="post" action={`/mandats/${m.id}/usages`} novalidate>
            <CsrfField token={props.csrf} />
            <Select
              name="demarche"
              label="Démarche réalisée"
              value={props.useValues.demarche}
              error={props.errors.demarche}
              options={[
                { value: '', label: 'Choisissez' },
                ...open.map((a) => ({ value: a.demarche, label: demarcheLabel(a.demarche) })),
              ]}
            />
            <TextArea
              name="description"
              label="Ce que vous avez fait"
              hint="Par exemple « Déclaration de revenus 2026 sur impots.gouv.fr ». Jamais d’identifiant ni de mot de passe."
              rows={3}
              value={props.useValues.description}
              error={props.errors.description}
            />
            <button type="submit" class="button">
              Enregistrer l’utilisation
            </button>
          </form>
        </section>
      ) : (
        ''
      )}

      <h2>Utilisations</h2>
      {props.detail.uses.length === 0 ? (
        <p>Aucune utilisation déclarée.</p>
      ) : (
        <ul class="mandat-list">
          {props.detail.uses.map((u) => (
            <li
              safe
            >{`${safeDateTime(u.created_at)} — ${demarcheLabel(u.demarche)} : ${u.description} (${u.mediateur ?? 'aidant supprimé'})`}</li>
          ))}
        </ul>
      )}

      {props.detail.revocations.length > 0 ? (
        <>
          <h2>Révocations</h2>
          <ul class="mandat-list">
            {props.detail.revocations.map((r) => (
              <li>
                <a href={`/mandats/${m.id}/revocations/${r.id}`} safe>
                  {`${safeDateTime(r.revoked_at)} — ${r.demarches.map(demarcheLabel).join(', ')}`}
                </a>
                <span
                  safe
                >{` (${r.requested_by === 'remplacement' ? 'remplacée par un nouveau mandat' : `à la demande de : ${(DEMANDEURS[r.requested_by as keyof typeof DEMANDEURS] ?? r.requested_by).toLowerCase()}`})`}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}

      {/* Where the summary's link to a refused cancellation leads. */}
      <h2 id={fieldId('annuler')}>Autres actions</h2>
      <div class="button-group">
        {active ? (
          <a class="button button--danger" href={`/mandats/${m.id}/revoquer`}>
            Révoquer une démarche ou le mandat
          </a>
        ) : (
          ''
        )}
        {statut === 'en_attente' ? (
          <form method="post" action={`/mandats/${m.id}/annuler`}>
            <CsrfField token={props.csrf} />
            <button type="submit" class="button button--danger">
              Annuler la demande d’accord
            </button>
          </form>
        ) : (
          <form method="post" action={`/mandats/${m.id}/renouveler`}>
            <CsrfField token={props.csrf} />
            <button type="submit" class="button button--secondary">
              Renouveler ce mandat
            </button>
          </form>
        )}
      </div>
    </>
  );
}

export function RevokePage(props: {
  m: Mandate;
  open: string[];
  csrf: string;
  errors: FieldErrors;
  values: { portee?: string; demarches?: string[]; demandeur?: string };
}): JSX.Element {
  const m = props.m;
  return (
    <>
      <h1 safe>{`Révoquer le mandat de ${m.prenom} ${m.nom}`}</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        La révocation prend effet immédiatement : vous ne pourrez plus faire ces démarches pour la personne.
        Une attestation de révocation est produite pour elle.
      </p>
      <form method="post" action={`/mandats/${m.id}/revoquer`} novalidate>
        <CsrfField token={props.csrf} />
        <ChoiceGroup
          type="radio"
          name="portee"
          legend="Que faut-il révoquer ?"
          options={[
            { value: 'tout', label: 'Tout le mandat' },
            { value: 'demarches', label: 'Seulement les démarches cochées ci-dessous' },
          ]}
          checked={[props.values.portee ?? 'demarches']}
          error={props.errors.portee}
        />
        <ChoiceGroup
          type="checkbox"
          name="demarches"
          legend="Démarches à révoquer"
          options={props.open.map((d) => ({
            value: d,
            label: DEMARCHES[d as keyof typeof DEMARCHES]?.label ?? d,
          }))}
          checked={props.values.demarches ?? []}
          error={props.errors.demarches}
        />
        <ChoiceGroup
          type="radio"
          name="demandeur"
          legend="Qui demande la révocation ?"
          options={vocabularyOptions(DEMANDEURS)}
          checked={props.values.demandeur ? [props.values.demandeur] : []}
          error={props.errors.demandeur}
        />
        <div class="button-group">
          <button type="submit" class="button button--danger">
            Révoquer
          </button>
          <a class="button button--secondary" href={`/mandats/${m.id}`}>
            Annuler
          </a>
        </div>
      </form>
    </>
  );
}

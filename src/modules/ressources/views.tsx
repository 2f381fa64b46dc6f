import { labelOf, labelsOf, vocabularyOptions } from '../../platform/forms.ts';
import { formatDate, formatDateTime } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  fieldId,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { ImportNotesTable, type ImportRowReport } from '../../platform/ui/import-report.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import type { Collection, CollectionItem } from './collections.ts';
import { renderMarkdown } from './markdown.ts';
import {
  COUNT_CAP,
  FACET_NAMES,
  type FacetName,
  type Hit,
  SEARCH_PAGE,
  type SearchQuery,
  type SearchResult,
} from './search.ts';
import { type Block, type FileInfo, PAGE_SIZE, type Resource } from './service.ts';
import {
  BLOCK_KINDS,
  badgeOf,
  COMPETENCES,
  LICENCES,
  PUBLICS,
  RATINGS,
  REPORT_OUTCOMES,
  REPORT_REASONS,
  SORTS,
  STATUSES,
  THEMATIQUES,
  TYPES,
  VISIBILITIES,
} from './vocabulary.ts';

export type Values = Record<string, string | string[] | undefined>;
const one = (v: Values[string]) => (Array.isArray(v) ? v[0] : v) ?? '';
const many = (v: Values[string]) => (Array.isArray(v) ? v : v ? [v] : []);

const FACET_LABELS: Record<FacetName, { legend: string; vocabulary: Record<string, string> }> = {
  thematiques: { legend: 'Thématiques', vocabulary: THEMATIQUES },
  types: { legend: 'Types de ressource', vocabulary: TYPES },
  publics: { legend: 'Publics', vocabulary: PUBLICS },
  competences: { legend: 'Compétences numériques', vocabulary: COMPETENCES },
};

const ratingText = (average: number | null, count: number) =>
  count === 0
    ? 'Pas encore notée'
    : `${(average ?? 0).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} sur 4 (${count} note${count > 1 ? 's' : ''})`;

function Badge({ average, count }: { average: number | null; count: number }): JSX.Element {
  const badge = badgeOf(average, count);
  return badge ? (
    <span class="tag resource-badge" safe>
      {badge}
    </span>
  ) : (
    ''
  );
}

function ReviewTag({ due }: { due: boolean }): JSX.Element {
  return due ? <span class="tag resource-review">À vérifier</span> : '';
}

/** One result of a list of resources: title, summary, types, badge. */
export function ResourceCard({ hit, today }: { hit: Hit; today: string }): JSX.Element {
  return (
    <li class="card resource-card">
      <h3>
        <a href={`/ressources/${hit.id}`} safe>
          {hit.titre}
        </a>
      </h3>
      {hit.resume ? <p safe>{hit.resume.length > 220 ? `${hit.resume.slice(0, 217)}…` : hit.resume}</p> : ''}
      <p class="resource-meta">
        <span safe>{labelsOf(TYPES, hit.types) || 'Ressource'}</span>
        {' · '}
        <span safe>{hit.author_name}</span> <Badge average={hit.rating_average} count={hit.rating_count} />{' '}
        <ReviewTag due={hit.review_on !== null && hit.review_on < today} />
      </p>
    </li>
  );
}

// ------------------------------------------------------------------------------------ search

export function SearchPage(props: {
  query: SearchQuery;
  result: SearchResult;
  today: string;
  signedIn: boolean;
  mayWrite: boolean;
  href: (page: number) => string;
}): JSX.Element {
  const { query: s, result } = props;
  const pages = Math.ceil(result.count / SEARCH_PAGE);
  const chosen = FACET_NAMES.some((f) => s[f].length > 0);
  return (
    <>
      <h1>Ressources</h1>
      <p class="lead">
        Fiches, guides et outils pour accompagner les personnes dans leurs usages du numérique, partagés par
        les professionnels du territoire.
      </p>
      {props.signedIn ? (
        <p class="button-group">
          {props.mayWrite ? (
            <a class="button" href="/ressources/nouvelle">
              Écrire une ressource
            </a>
          ) : (
            ''
          )}
          {props.mayWrite ? <a href="/ressources/mes-ressources">Mes ressources</a> : ''}
          <a href="/ressources/collections">Mes collections</a>
        </p>
      ) : (
        ''
      )}
      <form method="get" action="/ressources" class="search-form">
        <Field
          name="q"
          type="search"
          label="Rechercher une ressource"
          value={s.q}
          hint="Par exemple : arnaques, courriel, France Travail"
        />
        <Select name="tri" label="Trier par" options={vocabularyOptions(SORTS)} value={s.sort} />
        <details class="filters" open={chosen}>
          <summary>Filtrer{chosen ? ' (filtres choisis)' : ''}</summary>
          {FACET_NAMES.map((f) => (
            <ChoiceGroup
              type="checkbox"
              name={f}
              className="checkboxes"
              legend={FACET_LABELS[f].legend}
              options={Object.entries(FACET_LABELS[f].vocabulary).map(([value, label]) => ({
                value,
                label: result.facets ? `${label} (${result.facets[f][value] ?? 0})` : label,
              }))}
              checked={s[f]}
            />
          ))}
        </details>
        <button type="submit" class="button">
          Rechercher
        </button>
      </form>
      {result.corrected ? (
        <p class="notice" role="status">
          Aucun résultat pour « <span safe>{s.q}</span> ». Résultats pour «{' '}
          <strong safe>{result.corrected}</strong> ».
        </p>
      ) : (
        ''
      )}
      <h2 class="results-count" role="status" safe>
        {result.count === 0
          ? 'Aucune ressource trouvée'
          : result.countIsCapped
            ? `Plus de ${safeNumber(COUNT_CAP)} ressources`
            : `${safeNumber(result.count)} ressource${result.count > 1 ? 's' : ''}`}
      </h2>
      {result.countIsCapped ? (
        <p>
          Seules les {safeNumber(COUNT_CAP)} premières sont affichées : ajoutez un mot ou un filtre pour
          affiner votre recherche.
        </p>
      ) : (
        ''
      )}
      {result.count === 0 ? (
        <p>
          Essayez un autre mot, moins de filtres, ou <a href="/ressources">toutes les ressources</a>.
        </p>
      ) : (
        <ul class="results">
          {result.hits.map((hit) => (
            <ResourceCard hit={hit} today={props.today} />
          ))}
        </ul>
      )}
      <Pagination page={s.page} pages={pages} href={props.href} label="Pages de résultats" />
      <p>
        <a href="/ressources/export.json">Télécharger les ressources publiques (JSON)</a>
      </p>
    </>
  );
}

// ------------------------------------------------------------------------------------ a resource

function BlockView({
  r,
  block,
  files,
}: {
  r: Resource;
  block: Block;
  files: Map<string, FileInfo>;
}): JSX.Element {
  switch (block.kind) {
    case 'titre_section':
      return <h2 safe>{block.titre ?? ''}</h2>;
    case 'texte': {
      const safeHtml = renderMarkdown(block.texte ?? '');
      return <div class="resource-text">{safeHtml}</div>;
    }
    case 'lien':
      return (
        <div class="resource-link">
          <p>
            <a href={block.url ?? '#'} rel="noopener noreferrer" safe>
              {block.titre ?? block.url ?? ''}
            </a>
          </p>
          {block.texte ? <p safe>{block.texte}</p> : ''}
          <p class="resource-url" safe>
            {block.url ?? ''}
          </p>
        </div>
      );
    case 'image':
      return (
        <figure class="resource-image">
          <img
            src={`/ressources/${r.id}/fichiers/${block.fichier_id}`}
            alt={block.alt ?? ''}
            loading="lazy"
          />
          {block.titre ? <figcaption safe>{block.titre}</figcaption> : ''}
        </figure>
      );
    case 'fichier': {
      const f = block.fichier_id ? files.get(block.fichier_id) : undefined;
      return (
        <p class="resource-file">
          <a href={`/ressources/${r.id}/fichiers/${block.fichier_id}`} download="" safe>
            {`Télécharger ${block.titre || f?.nom || 'le fichier'}`}
          </a>{' '}
          <span safe>{f ? `(${f.nom.split('.').pop()?.toUpperCase() ?? ''}, ${sizeOf(f.size)})` : ''}</span>
        </p>
      );
    }
  }
}

const sizeOf = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} Ko`
    : `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;

export type Rating = {
  user_id: string;
  rater_name: string;
  note: number;
  commentaire: string | null;
  reply: string | null;
  updated_at: Date;
};

export function ResourcePage(props: {
  r: Resource;
  blocks: Block[];
  files: Map<string, FileInfo>;
  today: string;
  editable: boolean;
  signedIn: boolean;
  userId: string | null;
  ratings: Rating[];
  collections: { id: string; titre: string }[];
  /** What the signed-in reader follows here (null: not signed in). */
  follows: ResourceFollows | null;
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  values?: Values;
}): JSX.Element {
  const { r } = props;
  const mine = props.ratings.find((x) => x.user_id === props.userId);
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const due = r.review_on !== null && r.review_on < props.today;
  return (
    <>
      <Flash message={props.flash} />
      <ErrorSummary errors={errors} />
      <article class="resource">
        <h1 safe>{r.titre}</h1>
        <p class="resource-meta">
          {r.status !== 'publiee' ? <span class="tag resource-draft">{STATUSES[r.status]}</span> : ''}{' '}
          <Badge average={r.rating_average} count={r.rating_count} /> <ReviewTag due={due} />
        </p>
        {due ? (
          <p class="notice">
            Cette ressource devait être revue avant le <span safe>{formatDay(r.review_on ?? '')}</span> :
            vérifiez que ses informations sont toujours justes.
          </p>
        ) : (
          ''
        )}
        {r.resume ? (
          <p class="lead" safe>
            {r.resume}
          </p>
        ) : (
          ''
        )}
        {props.blocks.map((b) => (
          <BlockView r={r} block={b} files={props.files} />
        ))}
        <h2>À propos de cette ressource</h2>
        {r.source_url ? (
          <p class="resource-source">
            Reprise de :{' '}
            <a href={r.source_url} safe>
              {r.source_url}
            </a>
          </p>
        ) : (
          ''
        )}
        <SummaryList
          rows={[
            ['Auteur', r.contributors ? `${r.author_name}, avec ${r.contributors}` : r.author_name],
            ['Licence', LICENCES[r.licence]],
            ['Thématiques', labelsOf(THEMATIQUES, r.thematiques) || '—'],
            ['Types', labelsOf(TYPES, r.types) || '—'],
            ['Publics', labelsOf(PUBLICS, r.publics) || '—'],
            ['Compétences', labelsOf(COMPETENCES, r.competences) || '—'],
            ['Mise à jour', formatDate(r.updated_at)],
            ['Visible par', VISIBILITIES[r.visibilite]],
          ]}
        />
      </article>
      {props.editable ? (
        <p class="button-group">
          <a class="button button--secondary" href={`/ressources/${r.id}/modifier`}>
            Modifier la ressource
          </a>
          <a href={`/ressources/${r.id}/historique`}>Historique des versions</a>
        </p>
      ) : (
        ''
      )}
      <section aria-labelledby="avis">
        <h2 id="avis">Avis des professionnels</h2>
        <p safe>{ratingText(r.rating_average, r.rating_count)}</p>
        {props.signedIn ? (
          <>
            <ul class="resource-ratings">
              {props.ratings.map((x) => (
                <li>
                  <p>
                    <strong safe>{x.rater_name}</strong> :{' '}
                    <span>{RATINGS[String(x.note) as keyof typeof RATINGS]}</span>
                  </p>
                  {x.commentaire ? <p safe>{x.commentaire}</p> : ''}
                  {x.reply ? (
                    <p class="resource-reply">
                      Réponse de l’auteur : <span safe>{x.reply}</span>
                    </p>
                  ) : (
                    ''
                  )}
                  {props.editable ? (
                    <form method="post" action={`/ressources/${r.id}/reponse`} class="inline-form">
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="personne" value={x.user_id} />
                      <Field
                        name={`reponse-${x.user_id}`}
                        label={`Répondre à ${x.rater_name}`}
                        value={x.reply ?? ''}
                      />
                      <button type="submit" class="button button--secondary">
                        Répondre
                      </button>
                    </form>
                  ) : (
                    ''
                  )}
                </li>
              ))}
            </ul>
            {r.status === 'publiee' && r.created_by !== props.userId ? (
              <form method="post" action={`/ressources/${r.id}/note`} novalidate>
                <CsrfField token={props.csrf} />
                <ChoiceGroup
                  type="radio"
                  name="note"
                  legend={mine ? 'Changer votre note' : 'Noter cette ressource'}
                  options={vocabularyOptions(RATINGS)}
                  checked={[one(values.note) || (mine ? String(mine.note) : '')]}
                  error={errors.note}
                />
                <TextArea
                  name="commentaire"
                  label="Commentaire (facultatif)"
                  value={one(values.commentaire) || mine?.commentaire || ''}
                  error={errors.commentaire}
                  rows={3}
                />
                <button type="submit" class="button">
                  {mine ? 'Enregistrer ma note' : 'Noter'}
                </button>
              </form>
            ) : (
              ''
            )}
          </>
        ) : (
          <p>
            <a href="/connexion">Connectez-vous</a> pour lire les avis et noter la ressource.
          </p>
        )}
      </section>
      {props.signedIn ? (
        <>
          {props.follows ? (
            <FollowForms r={r} csrf={props.csrf} follows={props.follows} error={errors.suivi} />
          ) : (
            ''
          )}
          {props.collections.length ? (
            <form method="post" action={`/ressources/${r.id}/collection`} class="inline-form">
              <CsrfField token={props.csrf} />
              <Select
                name="collection"
                label="Ajouter à une de mes collections"
                options={props.collections.map((c) => ({ value: c.id, label: c.titre }))}
              />
              <button type="submit" class="button button--secondary">
                Ajouter
              </button>
            </form>
          ) : (
            <p>
              <a href="/ressources/collections">Créer une collection</a> pour garder cette ressource avec
              d’autres.
            </p>
          )}
          <details class="disclosure">
            <summary>Signaler un problème</summary>
            <form method="post" action={`/ressources/${r.id}/signalement`} novalidate>
              <CsrfField token={props.csrf} />
              <ChoiceGroup
                type="radio"
                name="motif"
                legend="Motif du signalement"
                options={vocabularyOptions(REPORT_REASONS)}
                checked={[one(values.motif)]}
                error={errors.motif}
              />
              <TextArea
                name="signalement"
                label="Précisez (facultatif)"
                value={one(values.signalement)}
                rows={3}
                error={errors.signalement}
              />
              <button type="submit" class="button button--secondary">
                Envoyer le signalement
              </button>
            </form>
          </details>
        </>
      ) : (
        ''
      )}
    </>
  );
}

/** Whether the reader follows this resource's author (null: nobody to follow) and its library. */
export type ResourceFollows = { auteur: boolean | null; base: boolean; baseName: string };

/** One button that follows or stops following (`hidden`: what the form names). */
function FollowButton(props: {
  csrf: string;
  hidden: Record<string, string>;
  following: boolean;
  label: string;
}): JSX.Element {
  return (
    <form method="post" action="/ressources/suivis" class="inline-form">
      <CsrfField token={props.csrf} />
      {Object.entries(props.hidden).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <input type="hidden" name="suivre" value={props.following ? 'non' : 'oui'} />
      <button type="submit" class={props.following ? 'button button--secondary' : 'button'}>
        <span safe>{props.following ? `Ne plus suivre ${props.label}` : `Suivre ${props.label}`}</span>
      </button>
    </form>
  );
}

function FollowForms(props: {
  r: Resource;
  csrf: string;
  follows: ResourceFollows;
  error?: string | undefined;
}): JSX.Element {
  const { r, follows } = props;
  return (
    <section aria-labelledby="suivre" class="resource-follow">
      <h2 id="suivre">Suivre</h2>
      {props.error ? (
        <p class="field__error" id={fieldId('suivi')} tabindex="-1" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
      <p>
        Recevez un courriel, au plus un par jour, quand une ressource y est publiée ou mise à jour.{' '}
        <a href="/ressources/suivis">Mes suivis</a>
      </p>
      <div class="button-group">
        {follows.auteur === null ? (
          ''
        ) : (
          <FollowButton
            csrf={props.csrf}
            hidden={{ ressource: r.id, quoi: 'auteur' }}
            following={follows.auteur}
            label={`les ressources de ${r.author_name}`}
          />
        )}
        <FollowButton
          csrf={props.csrf}
          hidden={{ ressource: r.id, quoi: 'base' }}
          following={follows.base}
          label={`la bibliothèque de ${follows.baseName}`}
        />
      </div>
    </section>
  );
}

/** What a person follows, each with a button to stop. */
export function FollowsPage(props: {
  rows: readonly { id: string; label: string; href: string | null }[];
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  return (
    <>
      <Flash message={props.flash} />
      <h1>Mes suivis</h1>
      {props.error ? (
        <div class="error-summary" role="alert">
          <p safe>{props.error}</p>
        </div>
      ) : (
        ''
      )}
      <p>
        Quand une ressource est publiée ou mise à jour chez un auteur, dans une collection ou dans une
        bibliothèque que vous suivez, vous recevez un courriel qui résume les nouveautés, au plus un par jour.
      </p>
      {props.rows.length === 0 ? (
        <p>
          Vous ne suivez rien pour l’instant : sur la page d’une ressource ou d’une collection publique,
          choisissez « Suivre ».
        </p>
      ) : (
        <ul class="resource-follows">
          {props.rows.map((f) => (
            <li>
              {f.href ? (
                <a href={f.href} safe>
                  {f.label}
                </a>
              ) : (
                <span safe>{f.label}</span>
              )}
              <form method="post" action="/ressources/suivis" class="inline-form">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="suivi" value={f.id} />
                <button type="submit" class="link-button">
                  Ne plus suivre
                  <span class="visually-hidden" safe>
                    {` : ${f.label}`}
                  </span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/ressources">Chercher une ressource</a>
      </p>
    </>
  );
}

const formatDay = (iso: string) => (iso ? iso.split('-').reverse().join('/') : '');
/** A `YYYY-MM-DD` day as `JJ/MM/AAAA`: digits and slashes only, hence the `safe` name. */
const safeDay = (iso: string) => formatDay(iso.replace(/[^0-9-]/g, ''));

// ------------------------------------------------------------------------------------ writing

export function ResourceFormPage(props: {
  action: string;
  title: string;
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  const { values: v, errors: e } = props;
  return (
    <>
      <ErrorSummary errors={e} />
      <h1 safe>{props.title}</h1>
      <form method="post" action={props.action} novalidate>
        <CsrfField token={props.csrf} />
        <Field name="titre" label="Titre" value={one(v.titre)} error={e.titre} required />
        <TextArea
          name="resume"
          label="Résumé (facultatif)"
          hint="Deux ou trois phrases : à quoi sert la ressource, pour qui."
          value={one(v.resume)}
          error={e.resume}
          rows={3}
        />
        <Select
          name="licence"
          label="Licence"
          options={vocabularyOptions(LICENCES)}
          value={one(v.licence) || 'etalab_2_0'}
          error={e.licence}
          hint="La Licence Ouverte permet à tous de réutiliser la ressource en citant l’auteur."
        />
        <ChoiceGroup
          type="radio"
          name="visibilite"
          legend="Qui peut la voir, une fois publiée ?"
          options={vocabularyOptions(VISIBILITIES)}
          checked={[one(v.visibilite) || 'publique']}
          error={e.visibilite}
        />
        <details class="disclosure" open>
          <summary>Indexation (thématiques, types, publics, compétences)</summary>
          {(Object.keys(FACET_LABELS) as FacetName[]).map((name) => (
            <ChoiceGroup
              type="checkbox"
              name={name}
              className="checkboxes"
              legend={name === 'competences' ? 'Compétences numériques (Pix)' : FACET_LABELS[name].legend}
              options={vocabularyOptions(FACET_LABELS[name].vocabulary)}
              checked={many(v[name])}
              error={e[name]}
            />
          ))}
        </details>
        <Field
          name="contributors"
          label="Contributeurs (facultatif)"
          hint="Les noms des personnes qui ont aidé à l’écrire."
          value={one(v.contributors)}
          error={e.contributors}
        />
        <Field
          name="review_on"
          type="date"
          label="À vérifier le (facultatif)"
          hint="Après cette date, vous serez prévenu et les lecteurs verront « à vérifier »."
          value={one(v.review_on)}
          error={e.review_on}
        />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

function AddBlockForms({
  r,
  csrf,
  errors,
  values,
  kind,
}: {
  r: Resource;
  csrf: string;
  errors: FieldErrors;
  values: Values;
  kind: string;
}): JSX.Element {
  const e = (k: string, field: string) => (kind === k ? errors[`${k}-${field}`] : undefined);
  const v = (k: string, field: string) => (kind === k ? one(values[`${k}-${field}`]) : '');
  const action = `/ressources/${r.id}/blocs`;
  return (
    <section aria-labelledby="ajouter">
      <h2 id="ajouter">Ajouter un bloc</h2>
      <details class="disclosure" open={kind === 'titre_section'}>
        <summary>Titre de section</summary>
        <form method="post" action={action} novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="kind" value="titre_section" />
          <Field
            name="titre_section-titre"
            label="Titre de la section"
            value={v('titre_section', 'titre')}
            error={e('titre_section', 'titre')}
          />
          <button type="submit" class="button button--secondary">
            Ajouter le titre
          </button>
        </form>
      </details>
      <details class="disclosure" open={kind === 'texte' || kind === ''}>
        <summary>Texte</summary>
        <form method="post" action={action} novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="kind" value="texte" />
          <TextArea
            name="texte-texte"
            label="Texte"
            hint="Une ligne vide sépare les paragraphes. **gras**, *italique*, listes avec « - », liens [texte](https://adresse)."
            value={v('texte', 'texte')}
            error={e('texte', 'texte')}
            rows={8}
          />
          <button type="submit" class="button button--secondary">
            Ajouter le texte
          </button>
        </form>
      </details>
      <details class="disclosure" open={kind === 'lien'}>
        <summary>Lien</summary>
        <form method="post" action={action} novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="kind" value="lien" />
          <Field
            name="lien-url"
            type="url"
            label="Adresse du lien"
            hint="Par exemple : https://www.cybermalveillance.gouv.fr"
            value={v('lien', 'url')}
            error={e('lien', 'url')}
          />
          <Field
            name="lien-titre"
            label="Titre du lien"
            value={v('lien', 'titre')}
            error={e('lien', 'titre')}
          />
          <TextArea
            name="lien-texte"
            label="Description (facultatif)"
            value={v('lien', 'texte')}
            error={e('lien', 'texte')}
            rows={2}
          />
          <button type="submit" class="button button--secondary">
            Ajouter le lien
          </button>
        </form>
      </details>
      <details class="disclosure" open={kind === 'image'}>
        <summary>Image</summary>
        <form method="post" action={`${action}/fichier`} enctype="multipart/form-data" novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="kind" value="image" />
          <Field
            name="image-fichier"
            type="file"
            accept="image/png,image/jpeg,image/webp"
            label="Image (PNG, JPEG ou WebP, 5 Mo au plus)"
            error={e('image', 'fichier')}
          />
          <Field
            name="image-alt"
            label="Texte alternatif"
            hint="Ce que montre l’image, pour les personnes qui ne la voient pas. Obligatoire."
            value={v('image', 'alt')}
            error={e('image', 'alt')}
          />
          <Field
            name="image-titre"
            label="Légende (facultatif)"
            value={v('image', 'titre')}
            error={e('image', 'titre')}
          />
          <button type="submit" class="button button--secondary">
            Ajouter l’image
          </button>
        </form>
      </details>
      <details class="disclosure" open={kind === 'fichier'}>
        <summary>Fichier</summary>
        <form method="post" action={`${action}/fichier`} enctype="multipart/form-data" novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="kind" value="fichier" />
          <Field
            name="fichier-fichier"
            type="file"
            label="Fichier (PDF, image ou document bureautique, 20 Mo au plus)"
            error={e('fichier', 'fichier')}
          />
          <Field
            name="fichier-titre"
            label="Titre du fichier (facultatif)"
            value={v('fichier', 'titre')}
            error={e('fichier', 'titre')}
          />
          <button type="submit" class="button button--secondary">
            Ajouter le fichier
          </button>
        </form>
      </details>
    </section>
  );
}

export function EditPage(props: {
  r: Resource;
  blocks: Block[];
  files: Map<string, FileInfo>;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
  errors?: FieldErrors;
  values?: Values;
  kind?: string;
}): JSX.Element {
  const { r } = props;
  const errors = props.errors ?? {};
  return (
    <>
      <Flash message={props.flash} />
      {props.error ? (
        <div class="error-summary" role="alert">
          <p safe>{props.error}</p>
        </div>
      ) : (
        <ErrorSummary errors={errors} />
      )}
      <h1 safe>{`Modifier « ${r.titre} »`}</h1>
      <p>
        État : <strong>{STATUSES[r.status]}</strong> · {VISIBILITIES[r.visibilite]} ·{' '}
        <a href={`/ressources/${r.id}/informations`}>
          Modifier le titre, le résumé, la licence et l’indexation
        </a>
      </p>
      <form method="post" action={`/ressources/${r.id}/${r.status === 'publiee' ? 'depublier' : 'publier'}`}>
        <CsrfField token={props.csrf} />
        <p class="button-group">
          <button type="submit" class={r.status === 'publiee' ? 'button button--secondary' : 'button'}>
            {r.status === 'publiee' ? 'Dépublier (repasser en brouillon)' : 'Publier'}
          </button>
          <a href={`/ressources/${r.id}`}>Voir la ressource</a>
          <a href={`/ressources/${r.id}/historique`}>Historique des versions</a>
        </p>
      </form>
      <h2>Contenu</h2>
      {props.blocks.length === 0 ? <p>La ressource n’a encore aucun bloc : ajoutez-en un ci-dessous.</p> : ''}
      <ol class="resource-blocks">
        {props.blocks.map((b, i) => (
          <li>
            <p>
              <strong>{BLOCK_KINDS[b.kind]}</strong> : <span safe>{blockSummary(b, props.files)}</span>
            </p>
            <div class="button-group">
              {b.kind !== 'fichier' ? (
                <a href={`/ressources/${r.id}/blocs/${b.id}`}>
                  Modifier<span class="visually-hidden" safe>{` le bloc ${i + 1}`}</span>
                </a>
              ) : (
                ''
              )}
              {i > 0 ? (
                <MiniForm
                  csrf={props.csrf}
                  action={`/ressources/${r.id}/blocs/${b.id}/monter`}
                  label="Monter"
                  hidden={` le bloc ${i + 1}`}
                />
              ) : (
                ''
              )}
              {i < props.blocks.length - 1 ? (
                <MiniForm
                  csrf={props.csrf}
                  action={`/ressources/${r.id}/blocs/${b.id}/descendre`}
                  label="Descendre"
                  hidden={` le bloc ${i + 1}`}
                />
              ) : (
                ''
              )}
              <MiniForm
                csrf={props.csrf}
                action={`/ressources/${r.id}/blocs/${b.id}/retirer`}
                label="Retirer"
                hidden={` le bloc ${i + 1}`}
              />
            </div>
          </li>
        ))}
      </ol>
      <AddBlockForms
        r={r}
        csrf={props.csrf}
        errors={errors}
        values={props.values ?? {}}
        kind={props.kind ?? ''}
      />
    </>
  );
}

function MiniForm(props: { csrf: string; action: string; label: string; hidden: string }): JSX.Element {
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      <button type="submit" class="link-button">
        <span safe>{props.label}</span>
        <span class="visually-hidden" safe>
          {props.hidden}
        </span>
      </button>
    </form>
  );
}

function ItemForm(props: {
  csrf: string;
  c: Collection;
  item: string;
  action: string;
  label: string;
  hidden: string;
}): JSX.Element {
  return (
    <form method="post" action="/ressources/collections/element">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="collection" value={props.c.id} />
      <input type="hidden" name="ressource" value={props.item} />
      <input type="hidden" name="action" value={props.action} />
      <button type="submit" class="link-button">
        <span safe>{props.label}</span>
        <span class="visually-hidden" safe>
          {props.hidden}
        </span>
      </button>
    </form>
  );
}

const blockSummary = (b: Block, files: Map<string, FileInfo>) => {
  const text =
    b.kind === 'fichier' || b.kind === 'image'
      ? `${b.titre || b.alt || ''} (${files.get(b.fichier_id ?? '')?.nom ?? ''})`
      : (b.titre ?? b.texte ?? '');
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

export function BlockFormPage(props: {
  r: Resource;
  block: Block;
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  const { block: b, values: v, errors: e } = props;
  return (
    <>
      <ErrorSummary errors={e} />
      <h1 safe>{`Modifier un bloc (${BLOCK_KINDS[b.kind].toLowerCase()})`}</h1>
      <form method="post" action={`/ressources/${props.r.id}/blocs/${b.id}`} novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="kind" value={b.kind} />
        {b.kind === 'titre_section' ? (
          <Field name="titre" label="Titre de la section" value={one(v.titre)} error={e.titre} />
        ) : (
          ''
        )}
        {b.kind === 'texte' ? (
          <TextArea name="texte" label="Texte" value={one(v.texte)} error={e.texte} rows={10} />
        ) : (
          ''
        )}
        {b.kind === 'lien' ? (
          <>
            <Field name="url" type="url" label="Adresse du lien" value={one(v.url)} error={e.url} />
            <Field name="titre" label="Titre du lien" value={one(v.titre)} error={e.titre} />
            <TextArea
              name="texte"
              label="Description (facultatif)"
              value={one(v.texte)}
              error={e.texte}
              rows={2}
            />
          </>
        ) : (
          ''
        )}
        {b.kind === 'image' ? (
          <>
            <Field name="alt" label="Texte alternatif" value={one(v.alt)} error={e.alt} />
            <Field name="titre" label="Légende (facultatif)" value={one(v.titre)} error={e.titre} />
          </>
        ) : (
          ''
        )}
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function HistoryPage(props: {
  r: Resource;
  versions: { version: number; change: string; changed_by_name: string; created_at: Date }[];
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <Flash message={props.flash} />
      <h1 safe>{`Historique de « ${props.r.titre} »`}</h1>
      <Table
        caption="Versions, la plus récente d’abord"
        columns={['Version', 'Date', 'Par', 'Changement', 'Action']}
      >
        {props.versions.map((v) => (
          <tr>
            <td>{safeNumber(v.version)}</td>
            <td safe>{formatDateTime(v.created_at)}</td>
            <td safe>{v.changed_by_name}</td>
            <td safe>{v.change}</td>
            <td>
              {v.version === props.r.version ? (
                'Version actuelle'
              ) : (
                <form method="post" action={`/ressources/${props.r.id}/historique/${v.version}`}>
                  <CsrfField token={props.csrf} />
                  <button type="submit" class="link-button">
                    Restaurer<span class="visually-hidden" safe>{` la version ${v.version}`}</span>
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export function MyResourcesPage(props: {
  rows: {
    id: string;
    titre: string;
    status: keyof typeof STATUSES;
    visibilite: keyof typeof VISIBILITIES;
    updated_at: Date;
    review_on: string | null;
    author_name: string;
  }[];
  count: number;
  page: number;
  today: string;
  mayWrite: boolean;
}): JSX.Element {
  return (
    <>
      <h1>Mes ressources</h1>
      {props.mayWrite ? (
        <p>
          <a class="button" href="/ressources/nouvelle">
            Écrire une ressource
          </a>
        </p>
      ) : (
        ''
      )}
      {props.count === 0 ? (
        <p>Vous n’avez encore écrit aucune ressource.</p>
      ) : (
        <Table
          caption="Les ressources que vous pouvez modifier"
          columns={['Titre', 'État', 'Auteur', 'Modifiée le', 'À vérifier']}
        >
          {props.rows.map((r) => (
            <tr>
              <td>
                <a href={`/ressources/${r.id}/modifier`} safe>
                  {r.titre}
                </a>
              </td>
              <td>{STATUSES[r.status]}</td>
              <td safe>{r.author_name}</td>
              <td safe>{formatDate(r.updated_at)}</td>
              <td>
                {r.review_on ? (r.review_on < props.today ? 'Date dépassée' : safeDay(r.review_on)) : '—'}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination
        page={props.page}
        pages={Math.ceil(props.count / PAGE_SIZE)}
        href={(p) => `/ressources/mes-ressources?page=${p}`}
      />
    </>
  );
}

// ------------------------------------------------------------------------------------ moderation

export type ReportRow = {
  id: string;
  motif: keyof typeof REPORT_REASONS;
  commentaire: string | null;
  outcome: keyof typeof REPORT_OUTCOMES;
  decision_message: string | null;
  created_at: Date;
  resolved_at: Date | null;
  ressource_id: string;
  titre: string;
  reporter_name: string | null;
};

export function ModerationPage(props: {
  open: ReportRow[];
  done: ReportRow[];
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  errorFor?: string;
}): JSX.Element {
  const decisions = vocabularyOptions(REPORT_OUTCOMES).filter((o) => o.value !== 'ouvert');
  return (
    <>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors ?? {}} />
      <h1>Modération des ressources</h1>
      <h2>À traiter</h2>
      {props.open.length === 0 ? <p>Aucun signalement à traiter.</p> : ''}
      {props.open.map((s) => (
        <section class="card" aria-labelledby={`s-${s.id}`}>
          <h3 id={`s-${s.id}`}>
            <a href={`/ressources/${s.ressource_id}`} safe>
              {s.titre}
            </a>
          </h3>
          <p>
            <strong>{REPORT_REASONS[s.motif]}</strong>, signalée par{' '}
            <span safe>{s.reporter_name ?? 'un compte supprimé'}</span> le{' '}
            <span safe>{formatDateTime(s.created_at)}</span>
          </p>
          {s.commentaire ? <p safe>{s.commentaire}</p> : ''}
          <form method="post" action={`/ressources/moderation/${s.id}`} novalidate>
            <CsrfField token={props.csrf} />
            <ChoiceGroup
              type="radio"
              name="decision"
              idBy="index"
              legend="Décision"
              options={decisions}
              checked={[]}
              error={props.errorFor === s.id ? props.errors?.decision : undefined}
            />
            <TextArea name="message" label="Message à la personne qui a signalé (facultatif)" rows={2} />
            <button type="submit" class="button">
              Enregistrer la décision
            </button>
          </form>
        </section>
      ))}
      <h2>Derniers signalements traités</h2>
      {props.done.length === 0 ? (
        <p>Aucun signalement traité.</p>
      ) : (
        <Table
          caption="Signalements traités"
          captionHidden
          columns={['Ressource', 'Motif', 'Décision', 'Le']}
        >
          {props.done.map((s) => (
            <tr>
              <td safe>{s.titre}</td>
              <td>{REPORT_REASONS[s.motif]}</td>
              <td>{REPORT_OUTCOMES[s.outcome]}</td>
              <td safe>{s.resolved_at ? formatDate(s.resolved_at) : ''}</td>
            </tr>
          ))}
        </Table>
      )}
      <p>
        <a href="/ressources/recherches-sans-resultat">Ce que les gens cherchent sans le trouver</a>
      </p>
    </>
  );
}

export function EmptySearchesPage(props: {
  rows: { terms: string; searches: number; last_at: Date }[];
}): JSX.Element {
  return (
    <>
      <h1>Recherches sans résultat</h1>
      <p>
        Les mots cherchés dans la bibliothèque qui n’ont rien trouvé, même corrigés : des idées de ressources
        à écrire. Seuls les mots sont gardés, jamais qui les a cherchés.
      </p>
      {props.rows.length === 0 ? (
        <p>Aucune recherche sans résultat pour l’instant.</p>
      ) : (
        <Table
          caption="Recherches sans résultat, les plus fréquentes d’abord"
          columns={['Mots cherchés', { label: 'Fois', numeric: true }, 'Dernière fois']}
        >
          {props.rows.map((x) => (
            <tr>
              <td safe>{x.terms}</td>
              <td class="num">{safeNumber(x.searches)}</td>
              <td safe>{formatDate(x.last_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

// ------------------------------------------------------------------------------------ collections

export function CollectionsPage(props: {
  rows: {
    id: string;
    titre: string;
    publique: boolean;
    au_nom_opsn: boolean;
    owner_name: string;
    items: number;
    updated_at: Date;
  }[];
  values: Values;
  errors: FieldErrors;
  csrf: string;
  /** An administrator of the OPSN may make a collection in its name. */
  inOpsnName: boolean;
}): JSX.Element {
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <h1>Mes collections</h1>
      {props.rows.length === 0 ? (
        <p>
          Vous n’avez pas encore de collection. Une collection rassemble des ressources dans l’ordre de votre
          choix, à partager ou à imprimer en livret.
        </p>
      ) : (
        <ul>
          {props.rows.map((c) => (
            <li>
              <a href={`/ressources/collections/${c.id}`} safe>
                {c.titre}
              </a>{' '}
              <span
                safe
              >{`(${c.items} ressource${c.items > 1 ? 's' : ''}${c.publique ? ', publique' : ''}${c.au_nom_opsn ? `, au nom de ${c.owner_name}` : ''})`}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>Nouvelle collection</h2>
      <form method="post" action="/ressources/collections" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="titre"
          label="Titre de la collection"
          value={one(props.values.titre)}
          error={props.errors.titre}
        />
        <TextArea
          name="description"
          label="Description (facultatif)"
          value={one(props.values.description)}
          error={props.errors.description}
          rows={2}
        />
        <div class="checkbox">
          <input
            type="checkbox"
            id="champ-publique"
            name="publique"
            value="oui"
            checked={one(props.values.publique) === 'oui'}
          />
          <label for="champ-publique">Collection publique (visible par tous à son adresse)</label>
        </div>
        {props.inOpsnName ? (
          <div class={`checkbox${props.errors.au_nom_opsn ? ' field--error' : ''}`}>
            <input
              type="checkbox"
              id="champ-au_nom_opsn"
              name="au_nom_opsn"
              value="oui"
              checked={one(props.values.au_nom_opsn) === 'oui'}
            />
            <label for="champ-au_nom_opsn">
              Au nom de l’OPSN (présentée comme la sienne, gérée par tous ses administrateurs)
            </label>
          </div>
        ) : (
          ''
        )}
        <button type="submit" class="button">
          Créer la collection
        </button>
      </form>
    </>
  );
}

export function CollectionPage(props: {
  c: Collection;
  items: CollectionItem[];
  owner: boolean;
  shareUrl: string | null;
  today: string;
  csrf: string;
  flash?: string | undefined;
  pdfHref: string;
  /** Whether the signed-in reader follows it (null: nothing to follow, or their own). */
  following: boolean | null;
}): JSX.Element {
  const { c } = props;
  return (
    <>
      <Flash message={props.flash} />
      <h1 safe>{c.titre}</h1>
      {c.description ? (
        <p class="lead" safe>
          {c.description}
        </p>
      ) : (
        ''
      )}
      <p>
        Collection de <span safe>{c.owner_name}</span> ·{' '}
        <a href={props.pdfHref}>Télécharger le livret PDF à imprimer</a>
      </p>
      {props.following === null ? (
        ''
      ) : (
        <FollowButton
          csrf={props.csrf}
          hidden={{ collection: c.id }}
          following={props.following}
          label="cette collection"
        />
      )}
      {props.items.length === 0 ? <p>Cette collection ne contient encore aucune ressource.</p> : ''}
      <ol class="resource-collection">
        {props.items.map((item, i) => (
          <li>
            <a href={`/ressources/${item.id}`} safe>
              {item.titre}
            </a>
            {props.owner ? (
              <span class="button-group">
                {i > 0 ? (
                  <ItemForm
                    csrf={props.csrf}
                    c={c}
                    item={item.id}
                    action="monter"
                    label="Monter"
                    hidden={` ${item.titre}`}
                  />
                ) : (
                  ''
                )}
                {i < props.items.length - 1 ? (
                  <ItemForm
                    csrf={props.csrf}
                    c={c}
                    item={item.id}
                    action="descendre"
                    label="Descendre"
                    hidden={` ${item.titre}`}
                  />
                ) : (
                  ''
                )}
                <ItemForm
                  csrf={props.csrf}
                  c={c}
                  item={item.id}
                  action="retirer"
                  label="Retirer"
                  hidden={` ${item.titre}`}
                />
              </span>
            ) : (
              ''
            )}
          </li>
        ))}
      </ol>
      {props.owner ? (
        <section aria-labelledby="partage">
          <h2 id="partage">Partager</h2>
          {props.shareUrl ? (
            <p>
              Lien de partage : <code safe>{props.shareUrl}</code>
            </p>
          ) : (
            <p>
              Aucun lien de partage : seules les personnes qui voient la collection (vous
              {c.publique ? ', et tout le monde : elle est publique' : ''}) y accèdent.
            </p>
          )}
          <form method="post" action="/ressources/collections/partage">
            <CsrfField token={props.csrf} />
            <input type="hidden" name="collection" value={c.id} />
            <p class="button-group">
              <button type="submit" name="lien" value="nouveau" class="button button--secondary">
                {props.shareUrl
                  ? 'Remplacer le lien (l’ancien ne marchera plus)'
                  : 'Créer un lien de partage'}
              </button>
              {props.shareUrl ? (
                <button type="submit" name="lien" value="retirer" class="button button--danger">
                  Retirer le lien
                </button>
              ) : (
                ''
              )}
            </p>
          </form>
        </section>
      ) : (
        ''
      )}
    </>
  );
}

export function SuggestionsPage(props: {
  title: string;
  themes: string[];
  hits: Hit[];
  today: string;
}): JSX.Element {
  return (
    <>
      <h1 safe>{props.title}</h1>
      <p>
        Thématiques : <span safe>{labelsOf(THEMATIQUES, props.themes) || 'aucune'}</span>
      </p>
      {props.themes.length === 0 ? (
        <p>
          Ouvrez cette page depuis un compte rendu pour voir les ressources de ses thématiques, ou{' '}
          <a href="/ressources">cherchez dans toutes les ressources</a>.
        </p>
      ) : props.hits.length === 0 ? (
        <p>
          Aucune ressource sur ces thématiques pour l’instant.{' '}
          <a href="/ressources">Chercher dans toutes les ressources</a>.
        </p>
      ) : (
        <ul class="results">
          {props.hits.map((hit) => (
            <ResourceCard hit={hit} today={props.today} />
          ))}
        </ul>
      )}
    </>
  );
}

export const themeLabel = (code: string) => labelOf(THEMATIQUES, code);

/** The import of resources from JSON by an editor: the form, then what it did. */
export function ImportPage(props: {
  csrf: string;
  errors: FieldErrors;
  report?: {
    fileName: string;
    read: number;
    created: number;
    rejected: number;
    written: boolean;
    drafts: readonly { id: string; titre: string }[];
    rows: readonly ImportRowReport[];
  };
}): JSX.Element {
  const { report } = props;
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <h1>Importer des ressources</h1>
      {report ? (
        <section aria-labelledby="rapport">
          <h2 id="rapport">Rapport d’import</h2>
          <SummaryList
            rows={[
              ['Fichier', report.fileName],
              ['Ressources lues', String(report.read)],
              ['Créées en brouillon', String(report.created)],
              ['Rejetées', String(report.rejected)],
            ]}
          />
          {report.written ? (
            <p>Relisez chaque brouillon, complétez-le puis publiez-le.</p>
          ) : (
            <p class="notice">
              Import strict refusé : il y a des rejets ou des avertissements, rien n’a été enregistré.
            </p>
          )}
          {report.drafts.length ? (
            <ul>
              {report.drafts.map((d) => (
                <li>
                  <a href={`/ressources/${d.id}/modifier`} safe>
                    {d.titre}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            ''
          )}
          {report.rows.some((r) => r.errors.length || r.warnings.length) ? (
            <ImportNotesTable
              rows={report.rows}
              notes={['errors', 'warnings']}
              keyLabel="Adresse d’origine"
              limit={500}
              caption="Rejets et avertissements"
              showResult
            />
          ) : (
            ''
          )}
        </section>
      ) : (
        ''
      )}
      <p>
        Le fichier suit le format de l’export des ressources (
        <a href="/ressources/export.json">export.json</a>, « relais-ressources/1 ») : titre, résumé, licence,
        auteur, contributeurs, thématiques, types, publics, compétences, liens et adresse d’origine. Chaque
        ressource devient un brouillon de votre bibliothèque qui garde sa licence, son auteur et un lien vers
        son origine. Une ressource sans licence connue est rejetée.
      </p>
      <form method="post" action="/ressources/import" enctype="multipart/form-data" novalidate>
        <CsrfField token={props.csrf} />
        <Field name="fichier" type="file" label="Fichier JSON (5 Mo au plus)" error={props.errors.fichier} />
        <ChoiceGroup
          type="checkbox"
          name="strict"
          legend="En cas de problème"
          options={[{ value: 'oui', label: 'Ne rien enregistrer s’il y a un rejet ou un avertissement' }]}
          checked={[]}
        />
        <button type="submit" class="button">
          Importer
        </button>
      </form>
    </>
  );
}

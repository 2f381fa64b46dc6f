import { formatDateTime } from '../../platform/paris-time.ts';
import { CsrfField, Notice, safeNumber } from '../../platform/ui/components.tsx';
import { LICENCE_NAME, LICENCE_URL } from './catalogue.ts';
import { COLUMN_TYPES, type Dataset, FORMATS } from './dataset.ts';
import { formatBytes, outcomeText } from './format.ts';
import type { PublicationResult, PublishedFile } from './publish.ts';

/** A dataset with the files generated for it (none yet for some). */
export type DatasetEntry = { dataset: Dataset; files: PublishedFile[] };

const updatedAt = (files: readonly PublishedFile[]) =>
  files.length > 0 ? new Date(Math.max(...files.map((f) => f.generated_at.getTime()))) : null;

function Licence(): JSX.Element {
  return (
    <a href={LICENCE_URL} hreflang="fr">
      {LICENCE_NAME}
    </a>
  );
}

/** The download links of a dataset, with their sizes. */
function Downloads({ entry }: { entry: DatasetEntry }): JSX.Element {
  return (
    <ul>
      {entry.files.map((file) => (
        <li>
          <a
            href={`/donnees/${entry.dataset.id}.${file.format}`}
            download={`${entry.dataset.id}.${file.format}`}
          >
            <span safe>{file.format.toUpperCase()}</span>
            <span class="visually-hidden" safe>{` – ${entry.dataset.title}`}</span>
          </a>{' '}
          <span safe>{`(${formatBytes(file.bytes)})`}</span>
        </li>
      ))}
    </ul>
  );
}

function DatasetSummary({ entry }: { entry: DatasetEntry }): JSX.Element {
  const { dataset, files } = entry;
  const updated = updatedAt(files);
  const headingId = `jeu-${dataset.id}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        <a href={`/donnees/${dataset.id}`} safe>
          {dataset.title}
        </a>
      </h2>
      <p safe>{dataset.description}</p>
      {updated ? (
        <>
          <Downloads entry={entry} />
          <p>
            Mis à jour le <span safe>{formatDateTime(updated)}</span> ·{' '}
            <span
              safe
            >{`${safeNumber(files[0]?.rows ?? 0)} ligne${(files[0]?.rows ?? 0) > 1 ? 's' : ''}`}</span>
          </p>
        </>
      ) : (
        <p>
          <strong>Pas encore disponible.</strong>
        </p>
      )}
    </section>
  );
}

export function DatasetsPage(props: {
  publisher: string;
  entries: DatasetEntry[];
  /** Set for administrators: the form that regenerates every file. */
  csrf: string | null;
}): JSX.Element {
  return (
    <>
      <h1>Données ouvertes</h1>
      <p class="lead">
        <span safe>{props.publisher}</span> publie ses données sur l’inclusion numérique sous <Licence /> :
        vous pouvez les réutiliser librement, y compris commercialement, en citant la source et la date de
        mise à jour.
      </p>
      {props.entries.map((entry) => (
        <DatasetSummary entry={entry} />
      ))}
      <h2>Pour les réutilisateurs</h2>
      <ul>
        <li>
          Les adresses des fichiers sont stables :{' '}
          <code>
            /donnees/<var>identifiant</var>.csv
          </code>{' '}
          et{' '}
          <code>
            /donnees/<var>identifiant</var>.json
          </code>
          . Les fichiers CSV sont en UTF-8, séparés par des virgules.
        </li>
        <li>Les fichiers sont régénérés chaque nuit ; leur date ne change que si leur contenu change.</li>
        <li>
          Catalogue DCAT (JSON-LD), moissonnable par data.gouv.fr :{' '}
          <a href="/donnees/catalogue.jsonld" type="application/ld+json">
            catalogue.jsonld
          </a>
        </li>
      </ul>
      {props.csrf ? (
        <form method="post" action="/admin/donnees/regenerer">
          <CsrfField token={props.csrf} />
          <p>Administration : régénérer tous les fichiers sans attendre la nuit.</p>
          <button type="submit" class="button button--secondary">
            Régénérer maintenant
          </button>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

/** The dictionary of a dataset's columns. */
function Dictionary({ dataset }: { dataset: Dataset }): JSX.Element {
  if (dataset.columns.length === 0)
    return <p>Le dictionnaire des colonnes sera publié avec le premier fichier.</p>;
  return (
    <section class="table-wrap" tabindex="0" aria-label={`Colonnes du jeu « ${dataset.title} »`}>
      <table>
        <caption safe>{`Colonnes du jeu « ${dataset.title} », dans l’ordre des fichiers`}</caption>
        <thead>
          <tr>
            <th scope="col">Colonne</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
            <th scope="col">Unité ou valeurs possibles</th>
          </tr>
        </thead>
        <tbody>
          {dataset.columns.map((column) => (
            <tr>
              <th scope="row">
                <code safe>{column.name}</code>
              </th>
              <td safe>{COLUMN_TYPES[column.type]}</td>
              <td safe>{column.description}</td>
              <td safe>{column.values ? column.values.join(' ; ') : (column.unit ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function DatasetPage(props: { entry: DatasetEntry; publisher: string }): JSX.Element {
  const { dataset, files } = props.entry;
  const updated = updatedAt(files);
  return (
    <>
      <h1 safe>{dataset.title}</h1>
      <p class="lead" safe>
        {dataset.description}
      </p>
      <dl class="summary-list">
        <dt>Producteur</dt>
        <dd safe>{props.publisher}</dd>
        <dt>Licence</dt>
        <dd>
          <Licence />
        </dd>
        <dt>Mise à jour</dt>
        <dd safe>{updated ? formatDateTime(updated) : 'Pas encore disponible'}</dd>
        {updated ? (
          <>
            <dt>Lignes</dt>
            <dd>{safeNumber(files[0]?.rows ?? 0)}</dd>
          </>
        ) : (
          ''
        )}
        {dataset.conformsTo ? (
          <>
            <dt>Standard</dt>
            <dd>
              <a href={dataset.conformsTo.url} safe>
                {dataset.conformsTo.label}
              </a>
            </dd>
          </>
        ) : (
          ''
        )}
        <dt>Mots-clés</dt>
        <dd safe>{dataset.keywords.join(', ')}</dd>
        <dt>Identifiant</dt>
        <dd>
          <code safe>{dataset.id}</code>
        </dd>
      </dl>

      <h2>Télécharger</h2>
      {updated ? (
        <section class="table-wrap" tabindex="0" aria-label="Fichiers du jeu de données">
          <table>
            <caption>Fichiers du jeu de données</caption>
            <thead>
              <tr>
                <th scope="col">Format</th>
                <th scope="col" class="num">
                  Taille
                </th>
                <th scope="col">Adresse stable</th>
                <th scope="col">Empreinte SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {FORMATS.flatMap((format) => {
                const file = files.find((f) => f.format === format);
                if (!file) return [];
                const href = `/donnees/${dataset.id}.${format}`;
                return [
                  <tr>
                    <th scope="row" safe>
                      {format.toUpperCase()}
                    </th>
                    <td class="num" safe>
                      {formatBytes(file.bytes)}
                    </td>
                    <td>
                      <a href={href} download={`${dataset.id}.${format}`} safe>
                        {href}
                      </a>
                    </td>
                    <td>
                      <code class="dataset__hash" safe>
                        {file.sha256}
                      </code>
                    </td>
                  </tr>,
                ];
              })}
            </tbody>
          </table>
        </section>
      ) : (
        <p>
          Ce jeu de données n’est <strong>pas encore disponible</strong> : ses fichiers seront publiés ici dès
          qu’ils seront produits.
        </p>
      )}

      {dataset.notes?.length ? (
        <>
          <h2>À savoir</h2>
          <ul>
            {dataset.notes.map((note) => (
              <li safe>{note}</li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}

      <h2>Dictionnaire des colonnes</h2>
      <Dictionary dataset={dataset} />
      <p>
        Ce jeu figure dans le <a href="/donnees/catalogue.jsonld">catalogue DCAT (JSON-LD)</a> des données
        ouvertes.
      </p>
    </>
  );
}

/** What a regeneration did, dataset by dataset (`runningSince`: none, another run was at work). */
export function PublicationReport({
  results,
  runningSince,
}: {
  results: PublicationResult[];
  runningSince?: Date | undefined;
}): JSX.Element {
  const failed = results.filter((r) => r.status === 'erreur').length;
  if (runningSince)
    return (
      <>
        <h1>Régénération des données ouvertes</h1>
        <Notice>
          <p safe>
            {`Une publication est déjà en cours depuis ${formatDateTime(runningSince)} : rien n’a été relancé. Son résultat sera visible sur la page des tâches planifiées.`}
          </p>
        </Notice>
        <p>
          <a href="/admin/taches">Voir les tâches planifiées</a> ·{' '}
          <a href="/donnees">Retour aux données ouvertes</a>
        </p>
      </>
    );
  return (
    <>
      <h1>Régénération des données ouvertes</h1>
      {failed > 0 ? (
        <Notice>
          <p safe>
            {`${failed} jeu${failed > 1 ? 'x' : ''} de données n’a pas pu être régénéré : ses fichiers précédents restent publiés.`}
          </p>
        </Notice>
      ) : (
        <Notice kind="success">
          <p>Les données ouvertes sont à jour.</p>
        </Notice>
      )}
      <div class="table-wrap">
        <table>
          <caption>Résultat par jeu de données</caption>
          <thead>
            <tr>
              <th scope="col">Jeu de données</th>
              <th scope="col">Résultat</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result) => (
              <tr>
                <th scope="row">
                  <a href={`/donnees/${result.dataset}`} safe>
                    {result.dataset}
                  </a>
                </th>
                <td safe>{outcomeText(result)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Cette régénération est enregistrée parmi les exécutions de la tâche « Publication des données ouvertes
        » (<a href="/admin/taches">tâches planifiées</a>).
      </p>
      <p>
        <a href="/donnees">Retour aux données ouvertes</a>
      </p>
    </>
  );
}

import { formatDay } from '../../platform/paris-time.ts';
import { ChoiceGroup, fieldId, Notice, safeNumber } from '../../platform/ui/components.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import { GeolocateButton, type MapConfig, PlaceMap, ResultsMap } from './map-view.tsx';
import { QUOI_EXAMPLES } from './needs.ts';
import { describeDay, openingState, weeklyTimetable } from './opening-hours.ts';
import { ACCESS_PLAIN, plain, SERVICE_PLAIN } from './plain-words.ts';
import type { SearchHit, SearchResult } from './search.ts';
import type { Place } from './store.ts';
import { FRAIS, MODALITES_ACCOMPAGNEMENT, PUBLICS, SERVICES, TYPOLOGIES } from './vocabulary.ts';

/** What the search form shows back: the person's own words and choices. */
export type SearchForm = {
  q?: string | undefined;
  ou?: string | undefined;
  near?: string | undefined;
  services: string[];
  publics: string[];
  modalites: string[];
  frais: string[];
  ouvert: boolean;
  /** A commune filter given in the address (`commune=69266`), shown so it can be removed. */
  commune?: { value: string; label: string } | undefined;
};

/** Where the search was centred, in words, when it was. */
export type SearchPlace = { label: string; radiusKm?: number } | null;

/** "13 h 30" never wraps between its parts on a narrow screen: non-breaking spaces inside each time. */
export const unbreakableTimes = (text: string): string =>
  text.replace(/\d{1,2} h( \d\d)?/g, (time) => time.replaceAll(' ', '\u00a0'));

const kmFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const safeDistance = (km: number) => (km < 1 ? `${Math.round(km * 1000)} m` : `${kmFormat.format(km)} km`);

function Checkboxes(props: {
  name: string;
  legend: string;
  values: readonly string[];
  checked: string[];
  labels?: Record<string, string>;
}) {
  const options = props.values.map((value) => ({ value, label: props.labels?.[value] ?? value }));
  return (
    <ChoiceGroup
      type="checkbox"
      name={props.name}
      legend={props.legend}
      options={options}
      checked={props.checked}
      className="checkboxes"
      idBy="index"
    />
  );
}

function SearchFormView({
  form,
  filtersOpen,
  compact = false,
}: {
  form: SearchForm;
  filtersOpen: boolean;
  /** Without the filters: the home page's short form. */
  compact?: boolean;
}): JSX.Element {
  return (
    <search>
      <form method="get" action="/lieux" class="search-form" aria-label="Rechercher un lieu">
        <div class="search-form__main">
          <div class="field">
            <label for={fieldId('q')}>Quoi ?</label>
            <span class="field__hint" id="q-aide" safe>
              {`Un besoin, un nom de lieu (ex. : ${QUOI_EXAMPLES.join(', ')})`}
            </span>
            <input type="search" id={fieldId('q')} name="q" value={form.q} aria-describedby="q-aide" />
          </div>
          <div class="field">
            <label for={fieldId('ou')}>Où ?</label>
            <span class="field__hint" id="ou-aide">
              Votre commune ou votre code postal
            </span>
            <input
              type="text"
              id={fieldId('ou')}
              name="ou"
              value={form.ou}
              autocomplete="address-level2"
              aria-describedby="ou-aide"
            />
            <GeolocateButton />
          </div>
        </div>
        {form.commune ? (
          <div class="checkbox">
            <input type="checkbox" id="commune" name="commune" value={form.commune.value} checked />
            <label for="commune" safe>{`Seulement à ${form.commune.label}`}</label>
          </div>
        ) : (
          ''
        )}
        <input type="hidden" name="near" value={form.near ?? ''} />
        {compact ? '' : <Filters form={form} open={filtersOpen} />}
        <button type="submit" class="button">
          Rechercher
        </button>
      </form>
    </search>
  );
}

/** The home page's search: "Quoi ?" and "Où ?" only. */
export function HomeSearch(): JSX.Element {
  return (
    <SearchFormView
      form={{ services: [], publics: [], modalites: [], frais: [], ouvert: false }}
      filtersOpen={false}
      compact
    />
  );
}

function Filters({ form, open }: { form: SearchForm; open: boolean }): JSX.Element {
  return (
    <details class="filters" open={open}>
      <summary>Affiner la recherche</summary>
      <Checkboxes
        name="services"
        legend="J’ai besoin d’aide pour…"
        values={SERVICES}
        checked={form.services}
        labels={SERVICE_PLAIN}
      />
      <Checkboxes
        name="publics"
        legend="Lieux qui accueillent spécialement…"
        values={PUBLICS}
        checked={form.publics}
      />
      <Checkboxes
        name="modalites"
        legend="Comment ?"
        values={MODALITES_ACCOMPAGNEMENT}
        checked={form.modalites}
      />
      <Checkboxes name="frais" legend="Coût" values={FRAIS} checked={form.frais} />
      <div class="checkbox">
        <input type="checkbox" id="ouvert" name="ouvert" value="maintenant" checked={form.ouvert} />
        <label for="ouvert">Ouvert maintenant</label>
      </div>
    </details>
  );
}

function Hit({ hit, now }: { hit: SearchHit; now: Date }): JSX.Element {
  const state = hit.horaires ? openingState(hit.horaires, now) : null;
  return (
    <li class="result">
      <h2 class="h3">
        <a href={`/lieux/${hit.id}`} safe>
          {hit.nom}
        </a>
      </h2>
      <p class="result__address">
        <span safe>{hit.adresse}</span>, <span safe>{`${hit.code_postal} ${hit.commune}`}</span>
        {hit.distance_km !== null ? <strong> · à {safeDistance(hit.distance_km)}</strong> : ''}
      </p>
      {hit.telephone[0] ? (
        <p class="result__phone">
          Téléphone :{' '}
          <a href={`tel:${hit.telephone[0]}`} safe>
            {formatPhone(hit.telephone[0])}
          </a>
        </p>
      ) : (
        ''
      )}
      {state ? (
        <p class={state.open ? 'result__open' : 'result__closed'} safe>
          {unbreakableTimes(state.label)}
        </p>
      ) : (
        ''
      )}
      {hit.services.length ? (
        <ul class="tags" aria-label="Services">
          {hit.services.map((s) => (
            <li class="tag" safe>
              {plain(SERVICE_PLAIN, s)}
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </li>
  );
}

function aroundLabel(centre: NonNullable<SearchPlace>): string {
  return centre.radiusKm === undefined
    ? ` près de ${centre.label}`
    : ` à moins de ${kmFormat.format(centre.radiusKm)} km de ${centre.label}`;
}

function resultCount(result: SearchResult): string {
  if (result.total === 0) return 'Aucun lieu ne correspond';
  return `${result.totalIsCapped ? 'Plus de ' : ''}${safeNumber(result.total)} lieu${result.total > 1 ? 'x' : ''}`;
}

export function SearchPage(props: {
  form: SearchForm;
  result: SearchResult | null;
  centre: SearchPlace;
  message?: string | undefined;
  errors: string[];
  queryString: (page?: number) => string;
  /** The same search over a wider radius, when a radius applies. */
  widerHref?: string | undefined;
  mapConfig: MapConfig;
  now: Date;
}): JSX.Element {
  const { result } = props;
  const filtersOpen =
    props.form.services.length +
      props.form.publics.length +
      props.form.modalites.length +
      props.form.frais.length >
      0 || props.form.ouvert;
  return (
    <>
      <h1>Trouver de l’aide au numérique</h1>
      <p class="lead">
        Des lieux près de chez vous où l’on vous aide gratuitement, le plus souvent, à faire vos démarches en
        ligne et à utiliser un ordinateur ou un téléphone.
      </p>
      <SearchFormView form={props.form} filtersOpen={filtersOpen} />
      {props.errors.length ? (
        <div class="error-summary" role="alert">
          <h2>Il y a un problème</h2>
          <ul>
            {props.errors.map((e) => (
              <li safe>{e}</li>
            ))}
          </ul>
        </div>
      ) : (
        ''
      )}
      {props.message ? (
        <Notice>
          <span safe>{props.message}</span>
        </Notice>
      ) : (
        ''
      )}
      {result?.correctedQuery ? (
        <Notice>
          <span
            safe
          >{`Aucun lieu pour « ${props.form.q} » : résultats pour « ${result.correctedQuery} ».`}</span>
        </Notice>
      ) : (
        ''
      )}
      {result ? (
        <section aria-labelledby="resultats-titre">
          <h2 id="resultats-titre" class="results-count" aria-live="polite">
            <span safe>{resultCount(result)}</span>
            {props.centre ? <span safe>{aroundLabel(props.centre)}</span> : ''}
          </h2>
          {result.needServices.length ? (
            <p class="results-needs" safe>{`Lieux qui proposent : ${result.needServices.join(' ou ')}`}</p>
          ) : (
            ''
          )}
          {result.total === 0 ? (
            <p>Essayez avec moins de filtres, un autre mot ou une commune voisine.</p>
          ) : (
            <ol class="results">
              {result.hits.map((hit) => (
                <Hit hit={hit} now={props.now} />
              ))}
            </ol>
          )}
          <Pagination
            page={result.page}
            pages={Math.ceil(result.total / result.limit)}
            more={result.totalIsCapped}
            href={(page) => `/lieux?${props.queryString(page)}`}
            label="Pages de résultats"
          />
          {props.widerHref ? (
            <p>
              <a href={props.widerHref}>Élargir la recherche à 100 km</a>
            </p>
          ) : (
            ''
          )}
          {result.total > 0 ? (
            <ResultsMap config={props.mapConfig} source={`/api/v1/lieux?${props.queryString()}&limit=500`} />
          ) : (
            ''
          )}
          <p class="downloads">
            Données ouvertes : <a href="/api/v1/lieux.csv">tous les lieux (CSV, standard national)</a> ·{' '}
            <a href="/api/v1/lieux.json">JSON</a> · <a href="/api/docs">API</a>
          </p>
        </section>
      ) : (
        ''
      )}
    </>
  );
}

const safeDate = (isoDate: string) => formatDay(isoDate);

function List({ items }: { items: string[] }): JSX.Element {
  return (
    <ul>
      {items.map((i) => (
        <li safe>{i}</li>
      ))}
    </ul>
  );
}

/** schema.org description of the place, for search engines and assistants. */
export function placeJsonLd(row: Place, url: string): string {
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Place',
    name: row.nom,
    url,
    address: {
      '@type': 'PostalAddress',
      streetAddress: [row.adresse, row.complement_adresse].filter(Boolean).join(', '),
      postalCode: row.code_postal,
      addressLocality: row.commune,
      addressCountry: 'FR',
    },
    ...(row.latitude !== null
      ? { geo: { '@type': 'GeoCoordinates', latitude: row.latitude, longitude: row.longitude } }
      : {}),
    ...(row.telephone[0] ? { telephone: row.telephone[0] } : {}),
    ...(row.horaires ? { openingHours: row.horaires } : {}),
    ...(row.presentation_resume ? { description: row.presentation_resume } : {}),
  };
  // Inside <script>, `<` would let a value close the element: JSON allows it escaped.
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function PlacePage({
  row,
  mapConfig,
  now,
  safeJsonLd,
  contactEmail,
  canRefer,
  sections = [],
}: {
  row: Place;
  mapConfig: MapConfig;
  now: Date;
  safeJsonLd: string;
  /** Whom to tell about a mistake: the OPSN's contact address. */
  contactEmail: string | null;
  /** The reader is a helper: they may refer a person here (module orientations). */
  canRefer?: boolean;
  /** What other modules add (book an appointment here…). */
  sections?: JSX.Element[];
}): JSX.Element {
  const state = row.horaires ? openingState(row.horaires, now) : null;
  const week = row.horaires ? weeklyTimetable(row.horaires) : null;
  const directions =
    row.latitude !== null
      ? `https://www.openstreetmap.org/directions?route=%3B${row.latitude}%2C${row.longitude}`
      : `https://www.openstreetmap.org/search?query=${encodeURIComponent(`${row.adresse} ${row.code_postal} ${row.commune}`)}`;
  return (
    <article class="place">
      <h1 safe>{row.nom}</h1>
      {state ? (
        <p class={state.open ? 'place__state result__open' : 'place__state result__closed'} safe>
          {unbreakableTimes(state.label)}
        </p>
      ) : (
        ''
      )}
      {row.presentation_resume ? (
        <p class="lead" safe>
          {row.presentation_resume}
        </p>
      ) : (
        ''
      )}
      <div class="place__grid">
        <section aria-labelledby="adresse">
          <h2 id="adresse">Adresse</h2>
          <address>
            <span safe>{row.adresse}</span>
            <br />
            {row.complement_adresse ? (
              <>
                <span safe>{row.complement_adresse}</span>
                <br />
              </>
            ) : (
              ''
            )}
            <span safe>{`${row.code_postal} ${row.commune}`}</span>
          </address>
          <p>
            <a href={directions} rel="noopener">
              Voir l’itinéraire <span class="visually-hidden">(OpenStreetMap, nouveau site)</span>
            </a>
          </p>
          {row.itinerance.includes('Itinérant') ? (
            <p>Ce lieu est itinérant : vérifiez où il se trouve avant de venir.</p>
          ) : (
            ''
          )}
        </section>
        <section aria-labelledby="contact">
          <h2 id="contact">Contact</h2>
          {row.telephone.length + row.courriels.length + row.site_web.length + (row.prise_rdv ? 1 : 0) ===
          0 ? (
            <p>Pas de contact indiqué : présentez-vous aux heures d’ouverture.</p>
          ) : (
            <ul class="contact-list">
              {row.telephone.map((t) => (
                <li>
                  Téléphone :{' '}
                  <a href={`tel:${t}`} safe>
                    {formatPhone(t)}
                  </a>
                </li>
              ))}
              {row.courriels.map((c) => (
                <li>
                  Courriel :{' '}
                  <a href={`mailto:${c}`} safe>
                    {c}
                  </a>
                </li>
              ))}
              {row.site_web.map((s) => (
                <li>
                  Site :{' '}
                  <a href={s} rel="noopener" safe>
                    {s.replace(/^https?:\/\//, '').replace(/\/$/, '')}
                  </a>
                </li>
              ))}
              {row.prise_rdv ? (
                <li>
                  <a href={row.prise_rdv} class="button" rel="noopener">
                    Prendre rendez-vous en ligne
                  </a>
                </li>
              ) : (
                ''
              )}
            </ul>
          )}
          {sections}
          {canRefer ? (
            <p>
              <a href={`/orientations/nouvelle?lieu=${row.id}`} class="button button--secondary">
                Orienter une personne
              </a>
            </p>
          ) : (
            ''
          )}
        </section>
      </div>
      <section aria-labelledby="horaires">
        <h2 id="horaires">Horaires</h2>
        {week ? (
          <dl class="timetable">
            {week.map((day) => (
              <>
                <dt safe>{day.label}</dt>
                <dd safe>{unbreakableTimes(describeDay(day.intervals))}</dd>
              </>
            ))}
          </dl>
        ) : row.horaires ? (
          <p safe>{row.horaires}</p>
        ) : (
          <p>Horaires non communiqués : appelez avant de venir.</p>
        )}
        {row.horaires && /PH/.test(row.horaires) ? <p>Les jours fériés peuvent changer ces horaires.</p> : ''}
      </section>
      <section aria-labelledby="services">
        <h2 id="services">Ce que vous pouvez y faire</h2>
        {row.services.length ? (
          <List items={row.services.map((s) => plain(SERVICE_PLAIN, s))} />
        ) : (
          <p>Non précisé.</p>
        )}
        {row.modalites_accompagnement.length ? (
          <>
            <h3>Comment on vous accompagne</h3>
            <List items={row.modalites_accompagnement} />
          </>
        ) : (
          ''
        )}
        {row.modalites_acces.length ? (
          <>
            <h3>Pour venir</h3>
            <List items={row.modalites_acces.map((m) => plain(ACCESS_PLAIN, m))} />
          </>
        ) : (
          ''
        )}
      </section>
      <section aria-labelledby="public">
        <h2 id="public">Pour qui, et combien ça coûte</h2>
        <p safe>
          {row.publics_specifiquement_adresses.length
            ? `Ce lieu accueille spécialement : ${row.publics_specifiquement_adresses.join(', ')}.`
            : 'Tout public.'}
        </p>
        {row.prise_en_charge_specifique.length ? (
          <p safe>{`Accompagnement adapté : ${row.prise_en_charge_specifique.join(', ')}.`}</p>
        ) : (
          ''
        )}
        <p safe>{costText(row.frais_a_charge)}</p>
        {row.fiche_acces_libre ? (
          <p>
            <a href={row.fiche_acces_libre} rel="noopener">
              Accessibilité du lieu (fiche Acceslibre)
            </a>
          </p>
        ) : (
          ''
        )}
      </section>
      {row.presentation_detail ? (
        <section aria-labelledby="presentation">
          <h2 id="presentation">Présentation</h2>
          <p safe>{row.presentation_detail}</p>
        </section>
      ) : (
        ''
      )}
      {row.latitude !== null && row.longitude !== null ? (
        <PlaceMap config={mapConfig} lat={row.latitude} lon={row.longitude} nom={row.nom} />
      ) : (
        ''
      )}
      <footer class="place__meta">
        <p>
          Mis à jour le {safeDate(String(row.date_maj))}
          {row.source ? <span safe>{` · source : ${row.source}`}</span> : ''}
          {row.typologie.length ? (
            <span safe>{` · ${row.typologie.map((t) => TYPOLOGIES[t] ?? t).join(', ')}`}</span>
          ) : (
            ''
          )}
        </p>
        {contactEmail ? (
          <p>
            Une information est fausse ? Écrivez à{' '}
            <a href={`mailto:${contactEmail}?subject=${encodeURIComponent(`Lieu : ${row.nom}`)}`} safe>
              {contactEmail}
            </a>
            .
          </p>
        ) : (
          ''
        )}
      </footer>
      <script type="application/ld+json">{safeJsonLd}</script>
    </article>
  );
}

const costText = (frais: string[]) => (frais.length ? `Coût : ${frais.join(', ')}.` : 'Coût : non précisé.');

/** `+33545393193` → `05 45 39 31 93`, as French people read phone numbers. */
export function formatPhone(phone: string): string {
  const national = /^\+33(\d{9})$/.exec(phone);
  if (!national?.[1]) return phone;
  return `0${national[1]}`.replace(/(\d{2})(?=\d)/g, '$1 ');
}

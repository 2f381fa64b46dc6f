import type { HomeEntry } from '../../platform/module.ts';
import {
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  fieldId,
  Notice,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { type Collectivite, displayName, type Opsn } from './service.ts';

/** `Rhône (69)`, or a dash when the reference has no département. */
const departementLabel = (c: Collectivite) =>
  c.departement_name ? `${c.departement_name} (${c.departement_code})` : '—';

const KIND_LABEL = { commune: 'Commune', epci: 'Intercommunalité (EPCI)' } as const;

/** A link to a member's public page, under the name it displays. */
function MemberLink({ c }: { c: Collectivite }): JSX.Element {
  return (
    <a href={`/collectivites/${c.slug}`} safe>
      {displayName(c)}
    </a>
  );
}

export function NotConfigured(): JSX.Element {
  return (
    <>
      <h1>Relais n’est pas encore configuré</h1>
      <p>Cette instance n’a pas encore d’opérateur ni de collectivités membres.</p>
      <p>L’équipe technique de l’OPSN la configure en suivant le guide d’installation.</p>
    </>
  );
}

export function HomePage(props: { opsn: Opsn; members: Collectivite[]; entries: HomeEntry[] }): JSX.Element {
  const { opsn, members } = props;
  const population = members.reduce((sum, m) => sum + (m.population ?? 0), 0);
  return (
    <>
      <h1 safe>{opsn.name}</h1>
      {opsn.description ? (
        <p class="lead" safe>
          {opsn.description}
        </p>
      ) : (
        ''
      )}
      {props.entries.map((entry, i) => {
        const Featured = entry.featured;
        return Featured ? (
          <section class="home-featured" aria-labelledby={`accueil-${i}`}>
            <h2 id={`accueil-${i}`} safe>
              {entry.title}
            </h2>
            <p safe>{entry.text}</p>
            <Featured />
          </section>
        ) : (
          ''
        );
      })}
      <h2>Ce que nous vous proposons</h2>
      <ul class="cards">
        {props.entries
          .filter((entry) => !entry.featured)
          .map((entry) => (
            <li class="card">
              <h3>
                <a href={entry.href} safe>
                  {entry.title}
                </a>
              </h3>
              <p safe>{entry.text}</p>
            </li>
          ))}
      </ul>
      <h2 id="membres">Nos collectivités membres</h2>
      {members.length === 0 ? (
        <p>Aucune collectivité n’est encore membre.</p>
      ) : (
        <>
          <p>
            {safeNumber(members.length)} collectivité{members.length > 1 ? 's' : ''} membre
            {members.length > 1 ? 's' : ''}, {safeNumber(population)} habitants.
          </p>
          <ul class="cards">
            {members.map((m) => (
              <li class="card">
                <h3>
                  <a href={`/collectivites/${m.slug}`} safe>
                    {displayName(m)}
                  </a>
                </h3>
                <p>
                  {KIND_LABEL[m.kind]}
                  {m.departement_name ? (
                    <>
                      {' – '}
                      <span safe>{m.departement_name}</span>
                    </>
                  ) : (
                    ''
                  )}
                  {m.population ? <> – {safeNumber(m.population)} habitants</> : ''}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Nous contacter</h2>
      <OpsnContact opsn={opsn} />
    </>
  );
}

function OpsnContact({ opsn }: { opsn: Opsn }): JSX.Element {
  if (!opsn.contact_email && !opsn.contact_phone && !opsn.website) {
    return <p>Les coordonnées de l’opérateur ne sont pas encore renseignées.</p>;
  }
  return (
    <dl class="summary-list">
      {opsn.contact_email ? (
        <>
          <dt>Courriel</dt>
          <dd>
            <a href={`mailto:${opsn.contact_email}`} safe>
              {opsn.contact_email}
            </a>
          </dd>
        </>
      ) : (
        ''
      )}
      {opsn.contact_phone ? (
        <>
          <dt>Téléphone</dt>
          <dd>
            <a href={`tel:${opsn.contact_phone}`} safe>
              {formatPhone(opsn.contact_phone)}
            </a>
          </dd>
        </>
      ) : (
        ''
      )}
      {opsn.website ? (
        <>
          <dt>Site web</dt>
          <dd>
            <a href={opsn.website} safe>
              {opsn.website}
            </a>
          </dd>
        </>
      ) : (
        ''
      )}
    </dl>
  );
}

/** `0472000000` → `04 72 00 00 00`. */
export const formatPhone = (phone: string) =>
  phone.startsWith('0') ? phone.replace(/(\d{2})(?=\d)/g, '$1 ') : phone;

export function CollectiviteListPage({ members }: { members: Collectivite[] }): JSX.Element {
  return (
    <>
      <h1>Collectivités membres</h1>
      {members.length === 0 ? (
        <p>Aucune collectivité n’est encore membre.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Les {safeNumber(members.length)} collectivités membres</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Type</th>
                <th scope="col">Département</th>
                <th scope="col" class="num">
                  Population
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr>
                  <td>
                    <MemberLink c={m} />
                  </td>
                  <td>{KIND_LABEL[m.kind]}</td>
                  <td safe>{departementLabel(m)}</td>
                  <td class="num">{m.population ? safeNumber(m.population) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function CollectivitePage({
  c,
  opsn,
  sections = [],
}: {
  c: Collectivite;
  opsn: Opsn | undefined;
  /** What other modules show on this page (its places…), already rendered. */
  sections?: JSX.Element[];
}): JSX.Element {
  return (
    <>
      <h1 safe>{displayName(c)}</h1>
      <p class="lead">
        <span safe>{displayName(c)}</span> est membre de <span safe>{opsn?.name ?? 'l’opérateur'}</span>, qui
        l’accompagne dans l’inclusion numérique de ses habitants.
      </p>
      <h2>En bref</h2>
      <dl class="summary-list">
        <dt>Type</dt>
        <dd>{KIND_LABEL[c.kind]}</dd>
        <dt>{c.kind === 'commune' ? 'Code INSEE' : 'SIREN'}</dt>
        <dd safe>{c.code}</dd>
        {c.departement_name ? (
          <>
            <dt>Département</dt>
            <dd safe>{departementLabel(c)}</dd>
          </>
        ) : (
          ''
        )}
        {c.region_name ? (
          <>
            <dt>Région</dt>
            <dd safe>{c.region_name}</dd>
          </>
        ) : (
          ''
        )}
        {c.population ? (
          <>
            <dt>Population</dt>
            <dd>{safeNumber(c.population)} habitants</dd>
          </>
        ) : (
          ''
        )}
        {c.postcodes.length ? (
          <>
            <dt>
              Code{c.postcodes.length > 1 ? 's' : ''} postal{c.postcodes.length > 1 ? 'aux' : ''}
            </dt>
            <dd safe>{c.postcodes.join(', ')}</dd>
          </>
        ) : (
          ''
        )}
      </dl>
      {c.kind === 'epci' && c.member_communes.length ? (
        <>
          <h2>Communes membres</h2>
          <ul>
            {c.member_communes.map((m) => (
              <li safe>{m.population ? `${m.name} (${safeNumber(m.population)} habitants)` : m.name}</li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
      {sections}
      {opsn ? (
        <>
          <h2>Besoin d’aide ?</h2>
          <OpsnContact opsn={opsn} />
        </>
      ) : (
        ''
      )}
    </>
  );
}

type AdminProps = {
  opsn: Opsn | undefined;
  members: Collectivite[];
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  values?: Record<string, string | undefined>;
};

export function AdminPage(props: AdminProps): JSX.Element {
  const { opsn, members, csrf } = props;
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <>
      <h1>Territoire et collectivités membres</h1>
      <ErrorSummary errors={errors} />
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      <h2 id="membres">Collectivités membres</h2>
      {members.length === 0 ? (
        <p>Aucune collectivité n’est encore membre. Ajoutez-en une ci-dessous.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Les {safeNumber(members.length)} collectivités membres</caption>
            <thead>
              <tr>
                <th scope="col">Nom affiché</th>
                <th scope="col">Code</th>
                <th scope="col">Couleur</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr>
                  <td>
                    <MemberLink c={m} />
                  </td>
                  <td safe>{m.code}</td>
                  <td>
                    {m.brand_colour ? (
                      <>
                        <svg class="swatch" viewBox="0 0 1 1" aria-hidden="true">
                          <rect width="1" height="1" fill={m.brand_colour} />
                        </svg>
                        <span safe>{m.brand_colour}</span>
                      </>
                    ) : (
                      'par défaut'
                    )}
                  </td>
                  <td>
                    <div class="button-group">
                      <a href={`/admin/territoire/collectivites/${m.id}/theme`}>
                        Personnaliser<span class="visually-hidden" safe>{` ${displayName(m)}`}</span>
                      </a>
                      <a href={`/admin/territoire/collectivites/${m.id}/retirer`}>
                        Retirer<span class="visually-hidden" safe>{` ${displayName(m)}`}</span>
                      </a>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2 id="ajouter">Ajouter une collectivité</h2>
      <form method="post" action="/admin/territoire/collectivites" novalidate>
        <CsrfField token={csrf} />
        <Field
          name="code"
          label="Code INSEE de la commune ou SIREN de l’EPCI"
          hint="Par exemple 69266 pour Villeurbanne, ou 200046977 pour la Métropole de Lyon."
          value={v.code}
          error={errors.code}
          inputClass="input--short"
          spellcheck={false}
          required
        />
        <button type="submit" class="button">
          Ajouter
        </button>
      </form>
      <h2 id="opsn">Identité de l’opérateur</h2>
      <OpsnForm opsn={opsn} csrf={csrf} errors={errors} values={v} />
    </>
  );
}

function OpsnForm(props: {
  opsn: Opsn | undefined;
  csrf: string;
  errors: FieldErrors;
  values: Record<string, string | undefined>;
}): JSX.Element {
  const { opsn, errors } = props;
  const value = (key: string, current: string | null | undefined) =>
    key in props.values ? props.values[key] : (current ?? undefined);
  return (
    <form method="post" action="/admin/territoire/opsn" novalidate>
      <CsrfField token={props.csrf} />
      <Field name="name" label="Nom" value={value('name', opsn?.name)} error={errors.name} required />
      <Field
        name="shortName"
        label="Nom court ou sigle"
        hint="Affiché dans le titre des pages."
        value={value('shortName', opsn?.short_name)}
        error={errors.shortName}
        inputClass="input--short"
        required
      />
      <Field
        name="contactEmail"
        type="email"
        label="Courriel de contact (facultatif)"
        value={value('contactEmail', opsn?.contact_email)}
        error={errors.contactEmail}
        autocomplete="email"
      />
      <Field
        name="contactPhone"
        type="tel"
        label="Téléphone de contact (facultatif)"
        value={value('contactPhone', opsn?.contact_phone)}
        error={errors.contactPhone}
        autocomplete="tel"
        inputClass="input--short"
      />
      <Field
        name="website"
        type="url"
        label="Site web (facultatif)"
        hint="Adresse complète, commençant par https://"
        value={value('website', opsn?.website)}
        error={errors.website}
      />
      <TextArea
        name="description"
        label="Présentation (facultatif)"
        hint="Quelques phrases affichées sur la page d’accueil."
        value={value('description', opsn?.description)}
        error={errors.description}
      />
      <button type="submit" class="button">
        Enregistrer l’identité
      </button>
    </form>
  );
}

export function ThemePage(props: {
  c: Collectivite;
  csrf: string;
  /** Where « Annuler » leads: a page this person may open. */
  back: string;
  errors?: FieldErrors;
  values?: Record<string, string | undefined>;
}): JSX.Element {
  const { c } = props;
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <>
      <h1>
        Personnaliser <span safe>{displayName(c)}</span>
      </h1>
      <ErrorSummary errors={errors} />
      <p>Le nom, la couleur et le logo s’appliquent aux pages publiques de la collectivité.</p>
      <form
        method="post"
        action={`/admin/territoire/collectivites/${c.id}/theme`}
        enctype="multipart/form-data"
        novalidate
      >
        <CsrfField token={props.csrf} />
        <Field
          name="displayName"
          label="Nom affiché (facultatif)"
          hint={`Laissez vide pour afficher le nom officiel : ${c.name}.`}
          value={'displayName' in v ? v.displayName : (c.display_name ?? undefined)}
          error={errors.displayName}
        />
        <Field
          name="brandColour"
          label="Couleur principale (facultatif)"
          hint="Format hexadécimal, par exemple #1d4f91. Elle doit offrir un contraste d’au moins 4,5:1 avec le blanc."
          value={'brandColour' in v ? v.brandColour : (c.brand_colour ?? undefined)}
          error={errors.brandColour}
          inputClass="input--short"
          spellcheck={false}
        />
        <Field
          name="logo"
          type="file"
          label="Logo (facultatif)"
          hint="Image PNG, JPEG ou WebP de 200 Ko au plus."
          accept="image/png,image/jpeg,image/webp"
          error={errors.logo}
        />
        {c.logo_file_id ? (
          <div class="field">
            <input type="checkbox" id={fieldId('removeLogo')} name="removeLogo" value="oui" />{' '}
            <label for={fieldId('removeLogo')}>Retirer le logo actuel</label>
          </div>
        ) : (
          ''
        )}
        <div class="button-group">
          <button type="submit" class="button">
            Enregistrer
          </button>
          <a href={props.back}>Annuler</a>
        </div>
      </form>
    </>
  );
}

export function RemovePage(props: {
  c: Collectivite;
  csrf: string;
  error?: string | undefined;
}): JSX.Element {
  const { c } = props;
  return (
    <>
      <h1>
        Retirer <span safe>{displayName(c)}</span> ?
      </h1>
      {props.error ? <ErrorSummary errors={{ confirm: props.error }} /> : ''}
      <p>
        La collectivité ne sera plus membre et sa page publique disparaîtra. Vous pourrez l’ajouter de nouveau
        avec son code <span safe>{c.code}</span>.
      </p>
      <form method="post" action={`/admin/territoire/collectivites/${c.id}/retirer`}>
        <CsrfField token={props.csrf} />
        <div class="button-group">
          <button type="submit" class="button button--danger" id={fieldId('confirm')}>
            Oui, retirer <span safe>{displayName(c)}</span>
          </button>
          <a href="/admin/territoire">Non, revenir</a>
        </div>
      </form>
    </>
  );
}

import { formatDateTime } from '../../platform/paris-time.ts';
import {
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  Notice,
} from '../../platform/ui/components.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { THEMATIQUES } from '../activites/index.ts';
import {
  COMPETENCES,
  CONNECTION,
  DOMAIN_CODES,
  DOMAINS,
  EQUIPMENT,
  type Question,
  type Questionnaire,
  SKILL_ANSWERS,
  URGENT,
} from './questionnaire.ts';
import { type Answers, type Result, strengthsOf, weakestDomains } from './scoring.ts';
import type { NextSteps, StoredDiagnosis } from './service.ts';
import { DOMAIN_THEMES, LEVEL_WORDS, MODES, PROFILE_TEXT, PROFILES } from './vocabulary.ts';

/** The answers so far, carried from page to page (checked again on each). */
function CarriedAnswers({ q, answers }: { q: Questionnaire; answers: Answers }): JSX.Element {
  return (
    <>
      <input type="hidden" name="version" value={q.version} />
      {Object.entries(answers).map(([id, value]) => (
        <input type="hidden" name={`r_${id}`} value={value} />
      ))}
    </>
  );
}

const levelText = (n: number) => `${n} sur 5 (${LEVEL_WORDS[n] ?? ''})`;

/** Where the person stands, in words; the bar only repeats it. */
function Progress({ position, total }: { position: number; total: number }): JSX.Element {
  return (
    <div class="skills-progress">
      <p class="skills-progress__text" safe>{`Question ${position} sur ${total}`}</p>
      <progress
        class="skills-progress__bar"
        max={String(total)}
        value={String(position - 1)}
        aria-hidden="true"
      />
    </div>
  );
}

export type QuestionPageProps = {
  q: Questionnaire;
  question: Question;
  answers: Answers;
  progress: { position: number; total: number };
  action: string;
  csrf: string;
  /** Hidden fields of the flow (a helper's mode and the person's consent). */
  extra?: Record<string, string>;
  checked?: readonly string[];
  error?: string | undefined;
};

/** One question per page: its text is the page's heading and the legend of its answers. */
export function QuestionPage(p: QuestionPageProps): JSX.Element {
  const { question } = p;
  const choices: readonly { value: string; label: string }[] =
    question.kind === 'skill' ? SKILL_ANSWERS : question.choices;
  const type = question.kind === 'multi' ? 'checkbox' : 'radio';
  const name = 'reponse';
  const errorId = 'champ-reponse-erreur';
  const hint =
    question.kind === 'skill' ? 'Choisissez la réponse qui vous ressemble le plus.' : question.hint;
  return (
    <>
      <ErrorSummary errors={p.error ? { reponse: p.error } : {}} />
      <Progress {...p.progress} />
      <form method="post" action={p.action} class="skills-question" novalidate>
        <CsrfField token={p.csrf} />
        <CarriedAnswers q={p.q} answers={p.answers} />
        {Object.entries(p.extra ?? {}).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <input type="hidden" name="question" value={question.id} />
        <fieldset
          id="champ-reponse"
          class={p.error ? 'field--error' : undefined}
          aria-describedby={
            [hint ? 'champ-reponse-aide' : '', p.error ? errorId : ''].filter(Boolean).join(' ') || undefined
          }
        >
          <legend>
            <h1 safe>{question.text}</h1>
          </legend>
          {hint ? (
            <p class="field__hint" id="champ-reponse-aide" safe>
              {hint}
            </p>
          ) : (
            ''
          )}
          {p.error ? (
            <p class="field__error" id={errorId}>
              <span class="visually-hidden">Erreur : </span>
              <span safe>{p.error}</span>
            </p>
          ) : (
            ''
          )}
          <div class="skills-choices">
            {choices.map((c) => (
              <div class="skills-choice">
                <input
                  type={type}
                  id={`${name}-${c.value}`}
                  name={name}
                  value={c.value}
                  checked={(p.checked ?? []).includes(c.value)}
                />
                <label for={`${name}-${c.value}`} safe>
                  {c.label}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="button-group">
          <button type="submit" class="button">
            Continuer
          </button>
          {Object.keys(p.answers).length > 0 ? (
            <button type="submit" name="retour" value="oui" class="button button--secondary">
              Question précédente
            </button>
          ) : (
            ''
          )}
        </div>
      </form>
    </>
  );
}

/** The last page of the public questionnaire: where the person lives, to find places near them. */
export function CommunePage(p: {
  q: Questionnaire;
  answers: Answers;
  action: string;
  csrf: string;
  /** The random id of this pass, so that the result counts once. */
  passage: string;
  value?: string;
  error?: string | undefined;
}): JSX.Element {
  const errors: FieldErrors = p.error ? { commune: p.error } : {};
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Dernière question : où habitez-vous ?</h1>
      <p>Nous cherchons les lieux d’aide les plus proches de chez vous. Ce n’est pas obligatoire.</p>
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <CarriedAnswers q={p.q} answers={p.answers} />
        <input type="hidden" name="question" value="commune" />
        <input type="hidden" name="passage" value={p.passage} />
        <Field
          name="commune"
          label="Votre commune ou votre code postal"
          hint="Par exemple : Vénissieux, ou 69200."
          value={p.value}
          error={p.error}
          autocomplete="address-level2"
        />
        <div class="button-group">
          <button type="submit" class="button">
            Voir mon résultat
          </button>
          <button type="submit" name="retour" value="oui" class="button button--secondary">
            Question précédente
          </button>
        </div>
      </form>
    </>
  );
}

/** A problem with the answers carried by the page itself: start again, nothing was kept. */
export function RestartPage({ reason, start }: { reason: string; start: string }): JSX.Element {
  return (
    <>
      <h1>Le questionnaire ne peut pas continuer</h1>
      <Notice>
        <p safe>{`${reason} Rien n’a été enregistré.`}</p>
      </Notice>
      <p>
        <a class="button" href={start}>
          Recommencer le questionnaire
        </a>
      </p>
    </>
  );
}

const competenceLabel = (code: string) => COMPETENCES.find((c) => c.code === code)?.label ?? code;

/** Levels by domain, then by competence, with the DigComp equivalents (to compare with Pix). */
export function LevelsTable({ r, caption }: { r: Result; caption: string }): JSX.Element {
  return (
    <Table
      caption={caption}
      columns={['Compétence', { label: 'Niveau', numeric: true }, 'Équivalent DigComp 2.2']}
    >
      {DOMAIN_CODES.map((d) => (
        <>
          <tr class="skills-domain-row">
            <th scope="row" safe>{`${d}. ${DOMAINS[d]}`}</th>
            <td class="num" safe>
              {levelText(r.domains[d])}
            </td>
            <td />
          </tr>
          {COMPETENCES.filter((c) => c.domain === d).map((c) => (
            <tr>
              <th scope="row" class="skills-competence" safe>{`${c.code} ${c.label}`}</th>
              <td class="num" safe>
                {levelText(r.levels[c.code]?.level ?? 0)}
              </td>
              <td safe>{(r.levels[c.code]?.digcomp ?? c.digcomp).join(', ')}</td>
            </tr>
          ))}
        </>
      ))}
    </Table>
  );
}

/** The next steps: the nearest places for each service, then resources to learn alone. */
function Steps({ steps, communeName }: { steps: NextSteps; communeName: string | null }): JSX.Element {
  return (
    <>
      <h2>Vos prochaines étapes</h2>
      <ol class="skills-steps">
        {steps.services.map((s) => (
          <li>
            <h3 safe>{`Se faire aider : ${s.service}`}</h3>
            {s.places.length === 0 ? (
              <p>
                {communeName ? (
                  <span
                    safe
                  >{`Nous n’avons pas trouvé de lieu près de ${communeName} pour ce service. `}</span>
                ) : (
                  'Donnez votre commune pour voir les lieux proches de chez vous. '
                )}
                <a href="/lieux">Chercher un lieu dans l’annuaire</a>
              </p>
            ) : (
              <ul>
                {s.places.map((place) => (
                  <li>
                    <a href={`/lieux/${place.id}`} safe>
                      {place.nom}
                    </a>
                    <span safe>{` — ${place.adresse}, ${place.code_postal} ${place.commune}`}</span>
                    {place.distance_km !== null ? (
                      <span safe>{` (à ${place.distance_km.toFixed(1).replace('.', ',')} km)`}</span>
                    ) : (
                      ''
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
        {steps.resources.length > 0 ? (
          <li>
            <h3>Apprendre seul, gratuitement</h3>
            <ul>
              {steps.resources.map((res) => (
                <li>
                  <a href={res.href} safe>
                    {res.title}
                  </a>
                  <span safe>{` — ${res.text} Compétences : ${res.competences.join(', ')}.`}</span>
                </li>
              ))}
            </ul>
          </li>
        ) : (
          ''
        )}
      </ol>
    </>
  );
}

/** What the person already knows, in the questionnaire's own words. */
function Strengths({ q, r }: { q: Questionnaire; r: Result }): JSX.Element {
  const strong = strengthsOf(r);
  const said = (code: string) => {
    const question = q.questions.find((x) => x.kind === 'skill' && x.competence === code);
    return question ? question.text : competenceLabel(code);
  };
  return (
    <>
      <h2>Ce que vous savez déjà faire</h2>
      {strong.length === 0 ? (
        <p>Vous débutez : c’est le bon moment pour apprendre, pas à pas, avec de l’aide.</p>
      ) : (
        <ul>
          {strong.map((code) => (
            <li safe>{said(code)}</li>
          ))}
        </ul>
      )}
    </>
  );
}

export type ResultPageProps = {
  q: Questionnaire;
  answers: Answers;
  r: Result;
  steps: NextSteps;
  commune: { typed: string; name: string | null };
  csrf: string;
  flash?: string | undefined;
  sendErrors?: FieldErrors;
  sendValues?: Record<string, string>;
};

/** The result of the public questionnaire: one printable page, kept nowhere unless sent. */
export function ResultPage(p: ResultPageProps): JSX.Element {
  const { r } = p;
  return (
    <>
      <ErrorSummary errors={p.sendErrors ?? {}} />
      <Flash message={p.flash} />
      <h1>Votre résultat</h1>
      <p class="lead">
        <span>Votre profil : </span>
        <strong>{PROFILES[r.profile]}</strong>.<span safe>{` ${PROFILE_TEXT[r.profile]}`}</span>
      </p>
      <Strengths q={p.q} r={r} />
      <Steps steps={p.steps} communeName={p.commune.name} />
      <Situation r={r} />
      <details class="skills-details">
        <summary>Le détail par compétence (niveaux de 0 à 5)</summary>
        <LevelsTable r={r} caption="Vos niveaux par domaine et par compétence" />
      </details>
      <section class="skills-keep no-print" aria-labelledby="garder">
        <h2 id="garder">Garder ce résultat</h2>
        <p>
          Imprimez cette page, ou recevez-la par courriel ou par SMS. Nous ne gardons ni votre résultat, ni
          votre adresse, ni votre numéro.
        </p>
        <form method="post" action="/competences/resultat/envoi" novalidate>
          <CsrfField token={p.csrf} />
          <CarriedAnswers q={p.q} answers={p.answers} />
          <input type="hidden" name="commune" value={p.commune.typed} />
          <Field
            name="destinataire"
            label="Votre adresse e-mail ou votre numéro de portable"
            hint="Par exemple : prenom.nom@exemple.fr ou 06 12 34 56 78."
            value={p.sendValues?.destinataire}
            error={p.sendErrors?.destinataire}
            autocomplete="email"
          />
          <button type="submit" class="button button--secondary">
            Recevoir mon résultat
          </button>
        </form>
        <p>
          <a href="/competences/diagnostic">Refaire le questionnaire</a>
        </p>
      </section>
    </>
  );
}

const urgentLabel = (code: string | null): string =>
  code ? (Object.hasOwn(URGENT, code) ? URGENT[code as keyof typeof URGENT] : code) : 'Aucune';

/** What is not a skill: devices, connection, autonomy, an urgent need. */
function Situation({ r }: { r: Result }): JSX.Element {
  const list = (codes: readonly string[], v: Readonly<Record<string, string>>) =>
    codes.map((c) => v[c] ?? c).join(', ') || 'non dit';
  return (
    <>
      <h2>Votre situation</h2>
      <dl class="summary-list">
        <dt>Appareils</dt>
        <dd safe>{list(r.equipment, EQUIPMENT)}</dd>
        <dt>Internet</dt>
        <dd safe>{list(r.connection, CONNECTION)}</dd>
        <dt>Démarche urgente</dt>
        <dd safe>{urgentLabel(r.urgent)}</dd>
      </dl>
    </>
  );
}

/** The public page that opens the questionnaire. */
export function IntroPage(): JSX.Element {
  return (
    <>
      <h1>Faire le point sur mes compétences numériques</h1>
      <p class="lead">
        Un questionnaire simple, pour savoir ce que vous savez déjà faire et où trouver de l’aide près de chez
        vous.
      </p>
      <ul>
        <li>Une vingtaine de questions, une par page.</li>
        <li>Environ 10 minutes. Prenez votre temps : il n’y a pas de limite.</li>
        <li>Pas besoin de compte. Nous ne gardons pas vos réponses.</li>
      </ul>
      <p>
        <a class="button" href="/competences/diagnostic">
          Commencer le questionnaire
        </a>
      </p>
      <p>
        <a href="/competences/observatoire">Les chiffres des diagnostics sur le territoire</a>
      </p>
    </>
  );
}

// ------------------------------------------------------------------ helpers

/** The consent page before a helper runs the questionnaire with or for a person. */
export function ConsentPage(p: {
  name: string;
  action: string;
  csrf: string;
  errors: FieldErrors;
  values: Record<string, string>;
}): JSX.Element {
  return (
    <>
      <ErrorSummary errors={p.errors} />
      <h1 safe>{`Diagnostic des compétences de ${p.name}`}</h1>
      <p>
        Le résultat ira dans la fiche de la personne, avec sa date et la version du questionnaire. Elle peut
        en demander l’effacement à tout moment.
      </p>
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <fieldset id="champ-mode" class={p.errors.mode ? 'field--error' : undefined}>
          <legend>Comment faites-vous le questionnaire ?</legend>
          {p.errors.mode ? (
            <p class="field__error" id="champ-mode-erreur">
              <span class="visually-hidden">Erreur : </span>
              <span safe>{p.errors.mode}</span>
            </p>
          ) : (
            ''
          )}
          {Object.entries(MODES).map(([value, label]) => (
            <div class="checkbox">
              <input
                type="radio"
                id={`mode-${value}`}
                name="mode"
                value={value}
                checked={p.values.mode === value}
              />
              <label for={`mode-${value}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        <fieldset id="champ-accord" class={p.errors.accord ? 'field--error' : undefined}>
          <legend>Accord de la personne</legend>
          {p.errors.accord ? (
            <p class="field__error" id="champ-accord-erreur">
              <span class="visually-hidden">Erreur : </span>
              <span safe>{p.errors.accord}</span>
            </p>
          ) : (
            ''
          )}
          <div class="checkbox">
            <input
              type="checkbox"
              id="accord-oui"
              name="accord"
              value="oui"
              checked={p.values.accord === 'oui'}
            />
            <label for="accord-oui">La personne est d’accord pour garder le résultat dans sa fiche.</label>
          </div>
        </fieldset>
        <button type="submit" class="button">
          Commencer
        </button>
      </form>
    </>
  );
}

/** A person's diagnoses: the latest result, progress since the first, the themes to work on. */
export function PersonPage(p: {
  personId: string;
  name: string;
  diagnoses: StoredDiagnosis[];
  flash?: string | undefined;
}): JSX.Element {
  const [latest] = p.diagnoses;
  const first = p.diagnoses[p.diagnoses.length - 1];
  const newDiagnosis = `/competences/personnes/${p.personId}/diagnostic`;
  return (
    <>
      <Flash message={p.flash} />
      <h1 safe>{`Compétences numériques de ${p.name}`}</h1>
      <p>
        <a class="button" href={newDiagnosis}>
          {latest ? 'Faire un nouveau diagnostic' : 'Faire un premier diagnostic'}
        </a>
      </p>
      {!latest ? (
        <p>
          Aucun diagnostic pour l’instant. Faites-le avec la personne, avec son accord : il prend environ 10
          minutes.
        </p>
      ) : (
        <>
          <h2>Dernier diagnostic</h2>
          <p
            safe
          >{`Le ${formatDateTime(latest.created_at)}, par ${latest.created_by_name ?? 'un ancien compte'} (${MODES[latest.mode]}, questionnaire ${latest.version}). Profil : ${PROFILES[latest.result.profile]}.`}</p>
          {first && first.id !== latest.id ? <ProgressView first={first} latest={latest} /> : ''}
          <h2>Thèmes proposés pour le prochain accompagnement</h2>
          <p>Les domaines les plus faibles :</p>
          <ul>
            {weakestDomains(latest.result.domains)
              .slice(0, 2)
              .map((d) => (
                <li safe>{`${DOMAINS[d]} (${levelText(latest.result.domains[d])}) : ${DOMAIN_THEMES[d]
                  .map((t) => THEMATIQUES[t as keyof typeof THEMATIQUES] ?? t)
                  .join(', ')}`}</li>
              ))}
          </ul>
          <p>
            <a href={`/activites/nouveau?beneficiaire=${p.personId}`}>
              Écrire le compte rendu d’un accompagnement
            </a>
          </p>
          <LevelsTable r={latest.result} caption="Niveaux du dernier diagnostic" />
          <h2>Tous les diagnostics</h2>
          <Table
            caption="Diagnostics, du plus récent au plus ancien"
            captionHidden
            columns={['Date', 'Profil', 'Version', 'Fait par']}
          >
            {p.diagnoses.map((d) => (
              <tr>
                <td safe>{formatDateTime(d.created_at)}</td>
                <td>{PROFILES[d.result.profile]}</td>
                <td safe>{d.version}</td>
                <td safe>{d.created_by_name ?? 'un ancien compte'}</td>
              </tr>
            ))}
          </Table>
          <p>
            <a href={`/competences/personnes/${p.personId}/diagnostics.csv`}>
              Télécharger les diagnostics (CSV)
            </a>
          </p>
        </>
      )}
    </>
  );
}

/** Before and after per domain: a small chart, and the table it draws. */
function ProgressView({ first, latest }: { first: StoredDiagnosis; latest: StoredDiagnosis }): JSX.Element {
  return (
    <>
      <h2>Progrès depuis le premier diagnostic</h2>
      <div class="skills-chart" aria-hidden="true">
        {DOMAIN_CODES.map((d) => (
          <div class="skills-chart__row">
            <span class="skills-chart__label">{DOMAINS[d]}</span>
            <span class="skills-chart__bars">
              <span
                class="skills-chart__bar skills-chart__bar--before"
                style={`width: ${first.result.domains[d] * 20}%`}
              />
              <span
                class="skills-chart__bar skills-chart__bar--after"
                style={`width: ${latest.result.domains[d] * 20}%`}
              />
            </span>
          </div>
        ))}
      </div>
      <Table
        caption={`Niveau par domaine, de 0 à 5 : le ${formatDateTime(first.created_at)} et le ${formatDateTime(latest.created_at)}`}
        columns={[
          'Domaine',
          { label: 'Avant', numeric: true },
          { label: 'Après', numeric: true },
          { label: 'Écart', numeric: true },
        ]}
      >
        {DOMAIN_CODES.map((d) => {
          const delta = latest.result.domains[d] - first.result.domains[d];
          return (
            <tr>
              <th scope="row">{DOMAINS[d]}</th>
              <td class="num" safe>
                {String(first.result.domains[d])}
              </td>
              <td class="num" safe>
                {String(latest.result.domains[d])}
              </td>
              <td class="num" safe>
                {delta > 0 ? `+${delta}` : String(delta)}
              </td>
            </tr>
          );
        })}
      </Table>
    </>
  );
}

/** The helper's choice of a person to diagnose. */
export function PeoplePage(p: { people: { id: string; label: string }[] }): JSX.Element {
  return (
    <>
      <h1>Diagnostics de compétences</h1>
      <p>
        Choisissez la personne avec qui vous faites le diagnostic. Vous pouvez aussi le lancer depuis sa
        fiche.
      </p>
      {p.people.length === 0 ? (
        <p>
          Vous n’avez encore accompagné personne. <a href="/beneficiaires">Voir les personnes accompagnées</a>
        </p>
      ) : (
        <ul>
          {p.people.map((person) => (
            <li>
              <a href={`/competences/personnes/${person.id}`} safe>
                {person.label}
              </a>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/competences/diagnostic">Le questionnaire public, sans fiche</a>
      </p>
    </>
  );
}

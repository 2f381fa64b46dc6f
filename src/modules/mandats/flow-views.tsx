import { vocabularyOptions } from '../../platform/forms.ts';
import { formatDay } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  fieldId,
  Select,
} from '../../platform/ui/components.tsx';
import { type PersonChoice, personChoiceLabel } from '../beneficiaires/index.ts';
import type { PlaceSummary } from '../lieux/index.ts';
import type { DraftData, Step } from './draft.ts';
import {
  CONSENTEMENTS,
  DEMARCHE_CODES,
  DEMARCHES,
  DUREE_CODES,
  DUREES,
  demarcheLabel,
  isDuree,
  PIECES_IDENTITE,
} from './vocabulary.ts';

/** The step-by-step creation of a mandate: one question per page, then "check your answers". */

export const STEP_TITLES: Record<Step, string> = {
  personne: 'Qui donne mandat ?',
  structure: 'Dans quelle structure le mandat est-il signé ?',
  demarches: 'Pour quelles démarches ?',
  duree: 'Pour combien de temps ?',
  consentement: 'Comment la personne donne-t-elle son accord ?',
};

/** "12/03/1948" from "1948-03-12": digits and slashes only. */
export const safeDay = (isoDate: string) => formatDay(isoDate, 'short');

export function StartPage(props: {
  csrf: string;
  beneficiaire?: { id: string; name: string } | undefined;
  /** The people the helper saw lately, offered when the mandate is for no one chosen yet. */
  people?: PersonChoice[];
}): JSX.Element {
  const people = props.beneficiaire ? [] : (props.people ?? []);
  return (
    <>
      <h1>Créer un mandat</h1>
      <p class="lead">
        Un mandat vous autorise à faire une démarche en ligne à la place d’une personne, avec son accord
        explicite, pour une durée limitée. La personne peut le révoquer à tout moment.
      </p>
      <h2>Avant de commencer</h2>
      <ul>
        <li>
          Vérifiez l’identité de la personne sur une pièce d’identité : vous indiquerez seulement le type de
          document, jamais son numéro ni sa copie.
        </li>
        <li>
          La personne est à côté de vous et signera l’attestation imprimée, ou elle a son téléphone portable
          pour répondre « Oui » par SMS.
        </li>
        <li>
          Ayez votre application d’authentification à portée de main : un code vous sera demandé pour
          confirmer.
        </li>
        <li>Ne notez jamais les identifiants ou mots de passe de la personne.</li>
      </ul>
      <ol class="mandat-steps">
        {Object.values(STEP_TITLES).map((title) => (
          <li safe>{title}</li>
        ))}
        <li>Vérification et confirmation avec votre code</li>
      </ol>
      {props.beneficiaire ? (
        <p>
          Pour : <strong safe>{props.beneficiaire.name}</strong> (fiche de vos personnes accompagnées)
        </p>
      ) : (
        ''
      )}
      <form method="post" action="/mandats/nouveau">
        <CsrfField token={props.csrf} />
        {props.beneficiaire ? <input type="hidden" name="beneficiaire" value={props.beneficiaire.id} /> : ''}
        {people.length > 0 ? (
          <Select
            name="beneficiaire"
            label="Pour qui ?"
            hint="Une personne que vous accompagnez déjà : le mandat sera relié à sa fiche."
            value=""
            options={[
              { value: '', label: 'Une personne qui n’a pas encore de fiche' },
              ...people.map((p) => ({ value: p.id, label: personChoiceLabel(p) })),
            ]}
          />
        ) : (
          ''
        )}
        <button type="submit" class="button">
          Commencer
        </button>
      </form>
    </>
  );
}

type StepProps = {
  draftId: string;
  csrf: string;
  data: DraftData;
  errors: FieldErrors;
  places: PlaceSummary[];
  returnToSummary: boolean;
  number: number;
  total: number;
  beneficiaryName?: string | undefined;
};

/** The frame of every question: its number, its title as the page's h1, errors, the form. */
function StepFrame({
  children: safeQuestion,
  ...props
}: StepProps & { step: Step; children: JSX.Element; back: string }): JSX.Element {
  const action = `/mandats/brouillons/${props.draftId}/${props.step}${props.returnToSummary ? '?retour=recapitulatif' : ''}`;
  return (
    <>
      <p class="mandat-step-count" safe>{`Étape ${props.number} sur ${props.total}`}</p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={action} novalidate>
        <CsrfField token={props.csrf} />
        {safeQuestion}
        <div class="button-group">
          <button type="submit" class="button">
            {props.returnToSummary ? 'Enregistrer et revenir à la vérification' : 'Continuer'}
          </button>
          <a href={props.back} class="button button--secondary">
            Retour
          </a>
        </div>
      </form>
    </>
  );
}

export function PersonStep(props: StepProps & { back: string }): JSX.Element {
  const d = props.data;
  return (
    <StepFrame {...props} step="personne">
      <>
        <h1 safe>{STEP_TITLES.personne}</h1>
        {props.beneficiaryName ? (
          <p>
            Mandat pour une personne que vous accompagnez : <strong safe>{props.beneficiaryName}</strong>.
            Recopiez son identité telle qu’elle figure sur la pièce d’identité.
          </p>
        ) : (
          <p>
            Recopiez l’identité telle qu’elle figure sur la pièce d’identité que la personne vous présente.
          </p>
        )}
        <Field
          name="prenom"
          label="Prénom"
          value={d.prenom}
          error={props.errors.prenom}
          autocomplete="off"
          required
        />
        <Field name="nom" label="Nom" value={d.nom} error={props.errors.nom} autocomplete="off" required />
        <Field
          name="date_naissance"
          label="Date de naissance"
          hint="Par exemple 12/03/1948"
          type="date"
          value={d.dateNaissance}
          error={props.errors.date_naissance}
          required
        />
        <ChoiceGroup
          type="radio"
          name="piece_identite"
          legend="Document d’identité vérifié"
          hint="Le type de document seulement : ne notez ni son numéro, ni une copie."
          options={vocabularyOptions(PIECES_IDENTITE)}
          checked={d.pieceIdentite ? [d.pieceIdentite] : []}
          error={props.errors.piece_identite}
        />
        <ChoiceGroup
          type="checkbox"
          name="piece_vue"
          legend="Vérification"
          options={[
            { value: 'oui', label: 'J’ai vérifié l’identité de la personne sur ce document, en sa présence' },
          ]}
          checked={d.pieceVue ? ['oui'] : []}
          error={props.errors.piece_vue}
        />
      </>
    </StepFrame>
  );
}

export function PlaceStep(props: StepProps & { back: string }): JSX.Element {
  return (
    <StepFrame {...props} step="structure">
      <>
        <h1 safe>{STEP_TITLES.structure}</h1>
        <ChoiceGroup
          type="radio"
          name="lieu"
          legend="Votre structure"
          hint="Les aidants habilités de cette structure pourront utiliser le mandat."
          options={props.places.map((p) => ({ value: p.id, label: `${p.nom} (${p.commune})` }))}
          checked={props.data.lieuId ? [props.data.lieuId] : []}
          error={props.errors.lieu}
        />
      </>
    </StepFrame>
  );
}

/** Checkboxes with each démarche's examples as its hint. */
export function DemarchesStep(props: StepProps & { back: string }): JSX.Element {
  const id = fieldId('demarches');
  const chosen = props.data.demarches ?? [];
  return (
    <StepFrame {...props} step="demarches">
      <>
        <h1 safe>{STEP_TITLES.demarches}</h1>
        <fieldset
          id={id}
          class={props.errors.demarches ? 'field--error' : undefined}
          aria-describedby={props.errors.demarches ? `${id}-erreur` : undefined}
        >
          <legend>Les démarches que la personne vous autorise à faire pour elle</legend>
          {props.errors.demarches ? (
            <span class="field__error" id={`${id}-erreur`}>
              <span class="visually-hidden">Erreur : </span>
              <span safe>{props.errors.demarches}</span>
            </span>
          ) : (
            ''
          )}
          {DEMARCHE_CODES.map((code) => (
            <div class="checkbox">
              <input
                type="checkbox"
                id={`demarches-${code}`}
                name="demarches"
                value={code}
                checked={chosen.includes(code)}
                aria-describedby={`demarches-${code}-aide`}
              />
              <label for={`demarches-${code}`}>{DEMARCHES[code].label}</label>
              <span class="field__hint mandat-hint" id={`demarches-${code}-aide`}>
                {DEMARCHES[code].exemples}
              </span>
            </div>
          ))}
        </fieldset>
      </>
    </StepFrame>
  );
}

export function DurationStep(props: StepProps & { back: string }): JSX.Element {
  const id = fieldId('duree');
  return (
    <StepFrame {...props} step="duree">
      <>
        <h1 safe>{STEP_TITLES.duree}</h1>
        <fieldset
          id={id}
          class={props.errors.duree ? 'field--error' : undefined}
          aria-describedby={props.errors.duree ? `${id}-erreur` : undefined}
        >
          <legend>Durée du mandat</legend>
          {props.errors.duree ? (
            <span class="field__error" id={`${id}-erreur`}>
              <span class="visually-hidden">Erreur : </span>
              <span safe>{props.errors.duree}</span>
            </span>
          ) : (
            ''
          )}
          {DUREE_CODES.map((code) => (
            <div class="checkbox">
              <input
                type="radio"
                id={`duree-${code}`}
                name="duree"
                value={code}
                checked={props.data.duree === code}
                aria-describedby={`duree-${code}-aide`}
              />
              <label for={`duree-${code}`}>{DUREES[code].label}</label>
              <span class="field__hint mandat-hint" id={`duree-${code}-aide`}>
                {DUREES[code].hint}
              </span>
            </div>
          ))}
        </fieldset>
      </>
    </StepFrame>
  );
}

export function ConsentStep(props: StepProps & { back: string }): JSX.Element {
  return (
    <StepFrame {...props} step="consentement">
      <>
        <h1 safe>{STEP_TITLES.consentement}</h1>
        <ChoiceGroup
          type="radio"
          name="consentement"
          legend="Accord de la personne"
          options={vocabularyOptions(CONSENTEMENTS)}
          checked={props.data.consentement ? [props.data.consentement] : []}
          error={props.errors.consentement}
        />
        <Field
          name="telephone"
          label="Téléphone portable de la personne (seulement pour l’accord par SMS)"
          hint="Par exemple 06 12 34 56 78. La personne recevra un SMS décrivant le mandat et y répondra « Oui » dans les 24 heures."
          type="tel"
          autocomplete="off"
          value={props.data.telephone}
          error={props.errors.telephone}
        />
      </>
    </StepFrame>
  );
}

/** One line of the "check your answers" list, with its link back to the question. */
function SummaryRow({
  children: safeAnswer,
  ...props
}: {
  term: string;
  draftId: string;
  step: Step;
  children: JSX.Element;
}): JSX.Element {
  return (
    <>
      <dt safe>{props.term}</dt>
      <dd>
        {safeAnswer}{' '}
        <a href={`/mandats/brouillons/${props.draftId}/${props.step}?retour=recapitulatif`}>
          Modifier<span class="visually-hidden" safe>{` : ${props.term.toLowerCase()}`}</span>
        </a>
      </dd>
    </>
  );
}

export function SummaryPage(props: {
  draftId: string;
  csrf: string;
  data: DraftData;
  place: PlaceSummary | undefined;
  helperName: string;
  errors: FieldErrors;
  renewing: boolean;
}): JSX.Element {
  const d = props.data;
  const sms = d.consentement === 'sms';
  const duree = d.duree && isDuree(d.duree) ? DUREES[d.duree].label : '';
  const placeLabel: string = props.place ? `${props.place.nom} (${props.place.commune})` : '';
  const consentLabel: string = sms
    ? `Par SMS au ${d.telephone ?? ''}`
    : 'En présence de la personne, qui signe l’attestation imprimée';
  return (
    <>
      <h1>Vérifiez le mandat avant de le créer</h1>
      <ErrorSummary errors={props.errors} />
      {props.renewing ? <p>Ce mandat renouvelle un mandat précédent de la même personne.</p> : ''}
      <dl class="summary-list">
        <SummaryRow term="Personne" draftId={props.draftId} step="personne">
          <span
            safe
          >{`${d.prenom ?? ''} ${d.nom ?? ''}, née ou né le ${safeDay(d.dateNaissance ?? '')}`}</span>
        </SummaryRow>
        <SummaryRow term="Pièce d’identité vérifiée" draftId={props.draftId} step="personne">
          <span>{PIECES_IDENTITE[d.pieceIdentite as keyof typeof PIECES_IDENTITE] ?? ''}</span>
        </SummaryRow>
        <SummaryRow term="Structure" draftId={props.draftId} step="structure">
          <span safe>{placeLabel}</span>
        </SummaryRow>
        <SummaryRow term="Démarches" draftId={props.draftId} step="demarches">
          <ul class="mandat-list">
            {(d.demarches ?? []).map((code) => (
              <li safe>{demarcheLabel(code)}</li>
            ))}
          </ul>
        </SummaryRow>
        <SummaryRow term="Durée" draftId={props.draftId} step="duree">
          <span>{duree}</span>
        </SummaryRow>
        <SummaryRow term="Accord" draftId={props.draftId} step="consentement">
          <span safe>{consentLabel}</span>
        </SummaryRow>
      </dl>
      <h2>Ce que la personne accepte</h2>
      <div class="mandat-preview">
        <p safe>
          {`En application de l’article 1984 du Code civil, ${d.prenom ?? ''} ${d.nom ?? ''} donne mandat à ${props.helperName} et aux aidants habilités de la structure ${props.place?.nom ?? ''} pour réaliser en son nom les démarches ci-dessus, pendant ${duree}.`}
        </p>
        <p>
          La personne peut révoquer ce mandat à tout moment, pour une démarche ou pour toutes, auprès de la
          structure. Chaque utilisation du mandat est enregistrée. Ses données servent seulement à ce mandat ;
          elle peut y accéder, les faire rectifier ou effacer.
        </p>
        {sms ? (
          <p>
            La personne recevra un SMS décrivant le mandat. Il ne sera actif qu’après sa réponse « Oui » ;
            sans réponse sous 24 heures, la demande est annulée.
          </p>
        ) : (
          <p>
            Faites lire ces informations à la personne. Après la création, imprimez l’attestation et faites-la
            signer : la personne en garde un exemplaire.
          </p>
        )}
      </div>
      <form method="post" action={`/mandats/brouillons/${props.draftId}/confirmer`} novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="code"
          label="Code de votre application d’authentification"
          hint="Six chiffres. Il confirme que c’est bien vous qui créez ce mandat."
          error={props.errors.code}
          autocomplete="one-time-code"
          inputClass="input--short"
          spellcheck={false}
          required
        />
        <button type="submit" class="button">
          {sms ? 'Confirmer et envoyer la demande par SMS' : 'Confirmer et créer le mandat'}
        </button>
      </form>
    </>
  );
}

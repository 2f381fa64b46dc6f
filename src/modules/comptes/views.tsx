import type { Actor } from '../../platform/auth/policy.ts';
import { ROLES } from '../../platform/auth/policy.ts';
import type { SpaceBlock } from '../../platform/module.ts';
import {
  CodeForm,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Select,
} from '../../platform/ui/components.tsx';

export function SignInPage(props: {
  csrf: string;
  errors?: FieldErrors;
  email?: string;
  /** Offer ProConnect besides the password (when it is configured). */
  proconnect?: boolean;
}): JSX.Element {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Se connecter</h1>
      <ErrorSummary errors={errors} />
      <p>
        Cet espace est réservé aux professionnels : médiateurs, coordinateurs, formateurs et administrateurs.
      </p>
      <form method="post" action="/connexion" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="email"
          type="email"
          label="Adresse e-mail"
          value={props.email}
          error={errors.email}
          autocomplete="username"
          spellcheck={false}
          required
        />
        <Field
          name="password"
          type="password"
          label="Mot de passe"
          error={errors.password}
          autocomplete="current-password"
          required
        />
        <button type="submit" class="button">
          Se connecter
        </button>
      </form>
      <p>
        <a href="/mot-de-passe-oublie">Mot de passe oublié ?</a>
      </p>
      {props.proconnect ? <ProConnectOption /> : ''}
    </>
  );
}

/** A plain link: the ProConnect sign-in starts with a redirect, no script needed. */
function ProConnectOption(): JSX.Element {
  return (
    <section aria-labelledby="proconnect-titre">
      <h2 id="proconnect-titre">Avec ProConnect</h2>
      <p>Agents publics : identifiez-vous avec le compte de votre administration.</p>
      <p>
        <a class="button button--secondary" href="/connexion/proconnect">
          S’identifier avec ProConnect
        </a>
      </p>
      <p>
        <a href="https://www.proconnect.gouv.fr/">Qu’est-ce que ProConnect ?</a>
      </p>
    </section>
  );
}

export type SpaceLink = { href: string; label: string };

/** One module's block: where the person stands and what to do next. */
function SpaceCard({ block, index }: { block: SpaceBlock; index: number }): JSX.Element {
  const id = `espace-bloc-${index}`;
  return (
    <section class="card space-block" aria-labelledby={id}>
      <h2 id={id} safe>
        {block.title}
      </h2>
      {block.text ? <p safe>{block.text}</p> : ''}
      {block.facts?.length ? (
        <ul class="space-block__facts">
          {block.facts.map((fact) => (
            <li safe>{fact}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {block.action ? (
        <p>
          <a class="button" href={block.action.href} safe>
            {block.action.label}
          </a>
        </p>
      ) : (
        ''
      )}
      {block.links?.length ? (
        <ul class="space-block__links">
          {block.links.map((link) => (
            <li>
              <a href={link.href} safe>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </section>
  );
}

export function SpacePage({
  actor,
  blocks,
  links,
  collectivites,
  csrf,
  error,
}: {
  actor: Actor & { kind: 'user' };
  /** What each module shows this person, in the order to read them. */
  blocks: readonly SpaceBlock[];
  /** The other pages the person's roles open. */
  links: SpaceLink[];
  /** The collectivités the person has a role in, when there are several to choose from. */
  collectivites: { id: number; name: string }[];
  csrf: string;
  error?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Mon espace</h1>
      <ErrorSummary errors={error ? { collectivite: error } : {}} />
      <p>
        Bonjour <span safe>{actor.name}</span>.
      </p>
      {collectivites.length > 1 ? (
        <form method="post" action="/espace/collectivite" class="active-collectivite">
          <CsrfField token={csrf} />
          <Select
            name="collectivite"
            label="Je travaille pour"
            value={actor.activeCollectiviteId ?? undefined}
            error={error}
            options={collectivites.map((c) => ({ value: String(c.id), label: c.name }))}
          />
          <button type="submit" class="button button--secondary">
            Changer
          </button>
        </form>
      ) : (
        ''
      )}
      {blocks.length ? (
        <div class="cards space-blocks">
          {blocks.map((block, index) => (
            <SpaceCard block={block} index={index + 1} />
          ))}
        </div>
      ) : (
        <p>
          Relais n’a pas encore d’outil pour vos rôles. Vous pouvez consulter{' '}
          <a href="/lieux">l’annuaire des lieux de médiation numérique</a> et{' '}
          <a href="/observatoire">l’observatoire de l’inclusion numérique</a>.
        </p>
      )}
      <h2>Mes autres pages</h2>
      <ul>
        {links.map((l) => (
          <li>
            <a href={l.href} safe>
              {l.label}
            </a>
          </li>
        ))}
      </ul>
      <h2>Mes rôles</h2>
      <ul>
        {actor.memberships.map((m) => (
          <li safe>{ROLES[m.role]}</li>
        ))}
      </ul>
    </>
  );
}

export function CodePage(props: {
  csrf: string;
  error?: string | undefined;
  /** The sign-in links a new ProConnect identity once the code is right. */
  linking?: boolean;
}): JSX.Element {
  return (
    <>
      <h1>Saisir le code de sécurité</h1>
      <ErrorSummary errors={props.error ? { code: props.error } : {}} />
      {props.linking ? (
        <p>
          Votre identité ProConnect n’est pas encore reliée à votre compte Relais : elle le sera dès que vous
          aurez saisi votre code de sécurité.
        </p>
      ) : null}
      <p>
        Ouvrez votre application d’authentification et saisissez le code à 6 chiffres qu’elle affiche pour
        Relais.
      </p>
      <CodeForm
        action="/connexion/code"
        csrf={props.csrf}
        label="Code de sécurité"
        hint="6 chiffres, ou l’un de vos codes de secours (par exemple abcd-efgh-jkmn) si vous n’avez plus votre téléphone."
        error={props.error}
        submit="Valider"
      />
      <p>
        <a href="/connexion">Recommencer la connexion</a>
      </p>
    </>
  );
}

/** Too many wrong codes for this account: nobody may try more until the lock ends. */
export function LockedPage(): JSX.Element {
  return (
    <>
      <h1>Connexion bloquée temporairement</h1>
      <p>
        Trop de codes de sécurité erronés ont été saisis pour ce compte : la connexion est bloquée pour
        quelques minutes, et son titulaire a été prévenu par courriel.
      </p>
      <p>
        Si vous êtes le titulaire et que ce n’était pas vous, changez votre mot de passe avec{' '}
        <a href="/mot-de-passe-oublie">Mot de passe oublié</a> : cela lève aussi le blocage.
      </p>
    </>
  );
}

export function EnrolPage(props: {
  csrf: string;
  safeQrSvg: string;
  groupedSecret: string;
  error?: string | undefined;
}): JSX.Element {
  // Markup made by the qrcode library from our own URI, never from user input.
  const { safeQrSvg } = props;
  return (
    <>
      <h1>Activer la double authentification</h1>
      <ErrorSummary errors={props.error ? { code: props.error } : {}} />
      <p>
        Relais protège les données des personnes accompagnées : chaque connexion demande, en plus du mot de
        passe, un code à 6 chiffres donné par une application sur votre téléphone (par exemple FreeOTP, Aegis,
        Google Authenticator ou Microsoft Authenticator).
      </p>
      <h2>1. Ajoutez Relais à votre application</h2>
      <p>Scannez ce code QR avec l’application :</p>
      <div class="qr" role="img" aria-label="Code QR de la clé de double authentification">
        {safeQrSvg}
      </div>
      <p>
        Ou saisissez cette clé à la main :{' '}
        <code class="secret" safe>
          {props.groupedSecret}
        </code>
      </p>
      <h2>2. Saisissez le code affiché</h2>
      <CodeForm
        action="/connexion/activer"
        csrf={props.csrf}
        label="Code à 6 chiffres"
        error={props.error}
        submit="Activer"
      />
    </>
  );
}

export function RecoveryCodesPage({ codes }: { codes: string[] }): JSX.Element {
  return (
    <>
      <h1>Vos codes de secours</h1>
      <div class="notice recovery-codes__notice">
        <p>
          La double authentification est activée. Notez ou imprimez ces dix codes et gardez-les en lieu sûr :
          chacun permet une seule connexion si vous perdez votre téléphone. Ils ne seront plus affichés.
        </p>
      </div>
      <ol class="recovery-codes">
        {codes.map((c) => (
          <li>
            <code safe>{c}</code>
          </li>
        ))}
      </ol>
      <p>
        <a
          class="button button--secondary"
          href={recoveryCodesFile(codes)}
          download="relais-codes-de-secours.txt"
        >
          Télécharger les codes (fichier texte)
        </a>
      </p>
      <p class="recovery-codes__print">
        Pour les imprimer, utilisez la commande Imprimer de votre navigateur (Ctrl+P, ou Cmd+P sur Mac) :
        seuls les codes sont imprimés.
      </p>
      <p>
        <a class="button" href="/espace">
          J’ai noté mes codes, continuer
        </a>
      </p>
    </>
  );
}

/**
 * The codes as a text file the page offers to download (a `data:` address: the codes are shown
 * once and never stored in clear, so no later request could serve them).
 */
function recoveryCodesFile(codes: string[]): string {
  const text = [
    'Relais : vos codes de secours',
    'Chacun permet une seule connexion si vous perdez votre téléphone. Gardez-les en lieu sûr.',
    '',
    ...codes,
    '',
  ].join('\r\n');
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

export function InvitationPage(props: {
  csrf: string;
  token: string;
  name: string;
  email: string;
  errors?: FieldErrors;
}): JSX.Element {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Créer votre accès à Relais</h1>
      <ErrorSummary errors={errors} />
      <p>
        Bonjour <span safe>{props.name}</span>, vous avez été invité à utiliser Relais avec l’adresse{' '}
        <strong safe>{props.email}</strong>. Choisissez votre mot de passe ; vous activerez ensuite la double
        authentification.
      </p>
      <form method="post" action={`/invitation/${props.token}`} novalidate>
        <CsrfField token={props.csrf} />
        <NewPasswordFields errors={errors} />
        <button type="submit" class="button">
          Continuer
        </button>
      </form>
    </>
  );
}

export function InvalidLinkPage(): JSX.Element {
  return (
    <>
      <h1>Ce lien n’est plus valable</h1>
      <p>
        Le lien d’invitation a déjà servi, a expiré (il vaut 7 jours) ou n’existe pas. Demandez une nouvelle
        invitation à votre coordinateur ou à l’administrateur de Relais.
      </p>
    </>
  );
}

/** The new password and its confirmation, as invitations and resets ask them. */
function NewPasswordFields({ errors }: { errors: FieldErrors }): JSX.Element {
  return (
    <>
      <Field
        name="password"
        type="password"
        label="Mot de passe"
        hint="Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner."
        error={errors.password}
        autocomplete="new-password"
        required
      />
      <Field
        name="confirmation"
        type="password"
        label="Confirmez le mot de passe"
        error={errors.confirmation}
        autocomplete="new-password"
        required
      />
    </>
  );
}

export function ForgotPasswordPage(props: {
  csrf: string;
  sent?: boolean;
  errors?: FieldErrors;
}): JSX.Element {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Mot de passe oublié</h1>
      <ErrorSummary errors={errors} />
      {props.sent ? (
        <div class="notice notice--success" role="status">
          <p>
            Si un compte actif correspond à cette adresse, un courriel vient de lui être envoyé avec un lien
            valable une heure.
          </p>
        </div>
      ) : (
        ''
      )}
      <p>
        Saisissez l’adresse e-mail de votre compte : vous recevrez un lien pour choisir un nouveau mot de
        passe.
      </p>
      <form method="post" action="/mot-de-passe-oublie" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="email"
          type="email"
          label="Adresse e-mail"
          error={errors.email}
          autocomplete="username"
          required
        />
        <button type="submit" class="button">
          Recevoir le lien
        </button>
      </form>
    </>
  );
}

export function ResetPasswordPage(props: { csrf: string; token: string; errors?: FieldErrors }): JSX.Element {
  const errors = props.errors ?? {};
  return (
    <>
      <h1>Choisir un nouveau mot de passe</h1>
      <ErrorSummary errors={errors} />
      <p>Toutes vos sessions ouvertes seront fermées.</p>
      <form method="post" action={`/mot-de-passe/${props.token}`} novalidate>
        <CsrfField token={props.csrf} />
        <NewPasswordFields errors={errors} />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function PasswordChangedPage(): JSX.Element {
  return (
    <>
      <h1>Mot de passe changé</h1>
      <p>Votre mot de passe a été changé et vos sessions ont été fermées.</p>
      <p>
        <a class="button" href="/connexion">
          Se connecter
        </a>
      </p>
    </>
  );
}

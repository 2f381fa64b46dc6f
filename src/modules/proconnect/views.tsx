/** The pages of a ProConnect sign-in that did not go through. Each says what to do next. */

export type Failure =
  | 'state-missing'
  | 'state-mismatch'
  | 'provider-error'
  | 'access-denied'
  | 'unavailable'
  | 'exchange-failed'
  | 'email-unverified'
  | 'no-account'
  | 'account-disabled';

type FailurePage = { status: number; title: string; body: (props: { email?: string }) => JSX.Element };

function Alternatives(): JSX.Element {
  return (
    <ul>
      <li>
        <a href="/connexion/proconnect">Recommencer avec ProConnect</a>
      </li>
      <li>
        <a href="/connexion">Se connecter avec son adresse e-mail et son mot de passe</a>
      </li>
    </ul>
  );
}

const interrupted: FailurePage = {
  status: 400,
  title: 'Connexion interrompue',
  body: () => (
    <>
      <h1>La connexion avec ProConnect n’a pas abouti</h1>
      <p>
        La demande de connexion a expiré, ou elle n’a pas été faite depuis ce navigateur. Pour votre sécurité,
        elle n’a pas été prise en compte. Rien n’a été enregistré.
      </p>
      <Alternatives />
    </>
  ),
};

export const FAILURE_PAGES: Record<Failure, FailurePage> = {
  'state-missing': interrupted,
  'state-mismatch': interrupted,
  'access-denied': {
    status: 400,
    title: 'Connexion annulée',
    body: () => (
      <>
        <h1>Connexion annulée</h1>
        <p>La connexion avec ProConnect a été annulée. Vous n’êtes pas connecté.</p>
        <Alternatives />
      </>
    ),
  },
  'provider-error': {
    status: 502,
    title: 'Connexion refusée par ProConnect',
    body: () => (
      <>
        <h1>ProConnect n’a pas pu vous identifier</h1>
        <p>
          ProConnect a interrompu la connexion. Vous n’êtes pas connecté. Réessayez dans quelques instants.
        </p>
        <Alternatives />
      </>
    ),
  },
  unavailable: {
    status: 503,
    title: 'ProConnect indisponible',
    body: () => (
      <>
        <h1>ProConnect est momentanément indisponible</h1>
        <p>Relais n’arrive pas à joindre ProConnect. Réessayez dans quelques instants.</p>
        <Alternatives />
      </>
    ),
  },
  'exchange-failed': {
    status: 502,
    title: 'Connexion impossible',
    body: () => (
      <>
        <h1>La connexion avec ProConnect a échoué</h1>
        <p>
          La réponse de ProConnect n’a pas pu être vérifiée. Pour votre sécurité, vous n’êtes pas connecté.
          Réessayez dans quelques instants.
        </p>
        <Alternatives />
      </>
    ),
  },
  'email-unverified': {
    status: 403,
    title: 'Adresse e-mail non vérifiée',
    body: () => (
      <>
        <h1>Votre adresse e-mail n’est pas vérifiée</h1>
        <p>
          Votre fournisseur d’identité n’a pas confirmé votre adresse e-mail : Relais ne peut pas la relier à
          un compte. Faites vérifier votre adresse auprès de lui, ou connectez-vous avec votre mot de passe.
        </p>
        <p>
          <a href="/connexion">Se connecter avec son adresse e-mail et son mot de passe</a>
        </p>
      </>
    ),
  },
  'no-account': {
    status: 403,
    title: 'Aucun compte Relais',
    body: ({ email }) => (
      <>
        <h1>Vous n’avez pas encore de compte Relais</h1>
        <p>
          ProConnect vous a bien identifié, mais aucun compte Relais n’est ouvert pour l’adresse{' '}
          <strong safe>{email ?? ''}</strong>.
        </p>
        <p>
          Pour utiliser Relais, vous devez d’abord être invité : demandez une invitation à l’administrateur de
          votre OPSN ou au coordinateur de votre collectivité, à cette adresse. Une fois l’invitation
          acceptée, vous pourrez vous identifier avec ProConnect.
        </p>
      </>
    ),
  },
  'account-disabled': {
    status: 403,
    title: 'Compte désactivé',
    body: () => (
      <>
        <h1>Votre compte Relais est désactivé</h1>
        <p>
          ProConnect vous a bien identifié, mais votre compte Relais a été désactivé. Contactez
          l’administrateur de votre OPSN ou le coordinateur de votre collectivité.
        </p>
      </>
    ),
  },
};

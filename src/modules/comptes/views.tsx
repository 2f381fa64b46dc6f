import type { Actor } from '../../platform/auth/policy.ts';
import { ROLES } from '../../platform/auth/policy.ts';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../../platform/ui/components.tsx';

export function SignInPage(props: { csrf: string; errors?: FieldErrors; email?: string }): JSX.Element {
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
    </>
  );
}

export type SpaceLink = { href: string; label: string };

export function SpacePage({
  actor,
  links,
}: {
  actor: Actor & { kind: 'user' };
  links: SpaceLink[];
}): JSX.Element {
  return (
    <>
      <h1>Mon espace</h1>
      <p>
        Bonjour <span safe>{actor.name}</span>.
      </p>
      <h2>Mes rôles</h2>
      <ul>
        {actor.memberships.map((m) => (
          <li safe>{ROLES[m.role]}</li>
        ))}
      </ul>
      <h2>Ce que je peux faire</h2>
      {links.length ? (
        <ul>
          {links.map((l) => (
            <li>
              <a href={l.href} safe>
                {l.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun outil n’est encore ouvert pour vos rôles.</p>
      )}
    </>
  );
}

import { ROLES, type Role } from '../../platform/auth/policy.ts';
import type { SessionView } from '../../platform/auth/session-admin.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import {
  CodeForm,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  fieldId,
  Notice,
  Select,
} from '../../platform/ui/components.tsx';
import type { PersonRow } from './people.ts';

export type CollectiviteChoice = { id: number; name: string };

const STATUS: Record<PersonRow['status'], string> = {
  invited: 'Invitation envoyée',
  active: 'Actif',
  disabled: 'Désactivé',
};

function rolesLabel(p: PersonRow, names: Map<number, string>): string {
  return p.memberships
    .map((m) =>
      m.collectiviteId === null ? ROLES[m.role] : `${ROLES[m.role]} (${names.get(m.collectiviteId) ?? '?'})`,
    )
    .join(', ');
}

export function PeoplePage(props: {
  people: PersonRow[];
  collectivites: CollectiviteChoice[];
  grantableRoles: Role[];
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  values?: Record<string, string | undefined>;
}): JSX.Element {
  const names = new Map(props.collectivites.map((c) => [c.id, c.name]));
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <>
      <h1>Personnes et rôles</h1>
      <ErrorSummary errors={errors} />
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      {props.people.length === 0 ? (
        <p>Personne n’a encore de rôle ici. Invitez quelqu’un ci-dessous.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Les personnes que vous gérez</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Courriel</th>
                <th scope="col">Rôles</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {props.people.map((p) => (
                <tr>
                  <td>
                    <a href={`/admin/personnes/${p.id}`} safe>
                      {p.name}
                    </a>
                  </td>
                  <td safe>{p.email}</td>
                  <td safe>{rolesLabel(p, names)}</td>
                  <td safe>{STATUS[p.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2 id="inviter">Inviter une personne</h2>
      <p>La personne reçoit par courriel un lien valable 7 jours pour choisir son mot de passe.</p>
      <form method="post" action="/admin/personnes" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="name"
          label="Prénom et nom"
          value={v.name}
          error={errors.name}
          autocomplete="off"
          required
        />
        <Field
          name="email"
          type="email"
          label="Adresse e-mail"
          value={v.email}
          error={errors.email}
          autocomplete="off"
          spellcheck={false}
          required
        />
        <Select
          name="role"
          label="Rôle"
          options={props.grantableRoles.map((r) => ({ value: r, label: ROLES[r] }))}
          value={v.role}
          error={errors.role}
        />
        <Select
          name="collectiviteId"
          label="Collectivité (sauf pour un administrateur de l’OPSN)"
          options={[
            ...props.collectivites.map((c) => ({ value: String(c.id), label: c.name })),
            ...(props.grantableRoles.includes('admin')
              ? [{ value: '', label: 'Aucune (administrateur)' }]
              : []),
          ]}
          value={v.collectiviteId}
          error={errors.collectiviteId}
        />
        <button type="submit" class="button">
          Envoyer l’invitation
        </button>
      </form>
    </>
  );
}

export function PersonPage(props: {
  person: PersonRow;
  collectivites: CollectiviteChoice[];
  grantableRoles: Role[];
  canResetTotp: boolean;
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
}): JSX.Element {
  const { person } = props;
  const names = new Map(props.collectivites.map((c) => [c.id, c.name]));
  const errors = props.errors ?? {};
  const base = `/admin/personnes/${person.id}`;
  return (
    <>
      <h1 safe>{person.name}</h1>
      <ErrorSummary errors={errors} />
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      <dl class="summary-list">
        <dt>Courriel</dt>
        <dd safe>{person.email}</dd>
        <dt>État</dt>
        <dd safe>{STATUS[person.status]}</dd>
        <dt>Double authentification</dt>
        <dd>{person.hasTotp ? 'Activée' : 'Pas encore activée'}</dd>
        <dt>Rôles</dt>
        <dd safe>{rolesLabel(person, names)}</dd>
      </dl>
      <h2>Changer un rôle</h2>
      <p>La personne devra se reconnecter : ses sessions en cours prennent fin.</p>
      <form method="post" action={`${base}/role`} novalidate>
        <CsrfField token={props.csrf} />
        <Select
          name="collectiviteId"
          label="Dans"
          options={person.memberships.map((m) => ({
            value: m.collectiviteId === null ? '' : String(m.collectiviteId),
            label: m.collectiviteId === null ? 'Tout l’OPSN' : (names.get(m.collectiviteId) ?? '?'),
          }))}
        />
        <Select
          name="role"
          label="Nouveau rôle"
          options={props.grantableRoles.map((r) => ({ value: r, label: ROLES[r] }))}
          error={errors.role}
        />
        <button type="submit" class="button">
          Changer le rôle
        </button>
      </form>
      {person.status === 'invited' ? (
        ''
      ) : (
        <>
          <h2>{person.status === 'active' ? 'Désactiver le compte' : 'Réactiver le compte'}</h2>
          <form method="post" action={`${base}/statut`}>
            <CsrfField token={props.csrf} />
            <input
              type="hidden"
              name="action"
              value={person.status === 'active' ? 'desactiver' : 'reactiver'}
            />
            <button
              type="submit"
              class={person.status === 'active' ? 'button button--danger' : 'button'}
              id={fieldId('status')}
            >
              {person.status === 'active' ? 'Désactiver' : 'Réactiver'}
            </button>
          </form>
        </>
      )}
      {props.canResetTotp && person.hasTotp ? (
        <>
          <h2>Réinitialiser la double authentification</h2>
          <p>
            Si la personne a perdu son téléphone et ses codes de secours : elle activera une nouvelle
            application à sa prochaine connexion. Il vous sera demandé votre propre code.
          </p>
          <form method="post" action={`${base}/totp`}>
            <CsrfField token={props.csrf} />
            <input type="hidden" name="confirm" value="oui" />
            <button type="submit" class="button button--secondary">
              Réinitialiser
            </button>
          </form>
        </>
      ) : (
        ''
      )}
      <p>
        <a href="/admin/personnes">Revenir à la liste</a>
      </p>
    </>
  );
}

export function ConfirmPage(props: { csrf: string; back: string; error?: string | undefined }): JSX.Element {
  return (
    <>
      <h1>Confirmer votre identité</h1>
      <ErrorSummary errors={props.error ? { code: props.error } : {}} />
      <p>Cette action est sensible : saisissez le code de votre application d’authentification.</p>
      <CodeForm
        action="/connexion/confirmer"
        csrf={props.csrf}
        label="Code à 6 chiffres"
        error={props.error}
        submit="Confirmer"
        hidden={{ retour: props.back }}
      />
    </>
  );
}

export function SessionsPage(props: {
  sessions: SessionView[];
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Mes sessions</h1>
      <ErrorSummary errors={props.error ? { session: props.error } : {}} />
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        Une session est ouverte à chaque connexion. Elle prend fin après 30 minutes sans activité et au plus
        tard 12 heures après la connexion. Si vous ne reconnaissez pas une session, fermez-la et changez votre
        mot de passe.
      </p>
      <div class="table-wrap">
        <table>
          <caption>Sessions ouvertes</caption>
          <thead>
            <tr>
              <th scope="col">Ouverte le</th>
              <th scope="col">Dernière activité</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr>
                <td safe>{formatDateTime(s.createdAt, 'medium')}</td>
                <td safe>{formatDateTime(s.lastSeenAt, 'medium')}</td>
                <td>
                  {s.current ? (
                    'Cette session'
                  ) : (
                    <form method="post" action="/compte/sessions/fermer">
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="session" value={s.handle} />
                      <button type="submit" class="link-button">
                        Fermer
                        <span
                          class="visually-hidden"
                          safe
                        >{` la session ouverte le ${formatDateTime(s.createdAt, 'medium')}`}</span>
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action="/compte/sessions/toutes">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="confirm" value="oui" />
        <button type="submit" class="button button--secondary">
          Me déconnecter partout
        </button>
      </form>
    </>
  );
}

export type OutboxMail = {
  id: number;
  recipient: string;
  subject: string;
  body: string | null;
  status: string;
  createdAt: Date;
  headers?: Record<string, string> | null;
  attachments?: { filename: string; contentType: string; content: string }[] | null;
};

export function OutboxPage({ mails, smtp }: { mails: OutboxMail[]; smtp: boolean }): JSX.Element {
  return (
    <>
      <h1>Courriels envoyés</h1>
      <p>
        {smtp
          ? 'Les courriels partent par le serveur SMTP configuré ; seuls leurs destinataires et sujets sont gardés ici.'
          : 'Aucun serveur SMTP n’est configuré : les courriels restent ici. Transmettez-les vous-même à leurs destinataires.'}
      </p>
      {mails.length === 0 ? (
        <p>Aucun courriel.</p>
      ) : (
        mails.map((m) => (
          <section class="card">
            <h2 class="h3" safe>
              {m.subject}
            </h2>
            <p>
              À <span safe>{m.recipient}</span>, le <span safe>{formatDateTime(m.createdAt, 'medium')}</span>{' '}
              (<span safe>{m.status}</span>)
            </p>
            {m.headers
              ? Object.entries(m.headers).map(([name, value]) => (
                  <p class="mail-header">
                    <span safe>{name}</span> : <span safe>{value}</span>
                  </p>
                ))
              : ''}
            {m.body ? (
              <pre class="mail-body" safe>
                {m.body}
              </pre>
            ) : (
              ''
            )}
            {(m.attachments ?? []).map((a) => (
              <details>
                <summary>
                  Pièce jointe : <span safe>{a.filename}</span> (<span safe>{a.contentType}</span>)
                </summary>
                <pre class="mail-body" safe>
                  {a.content}
                </pre>
              </details>
            ))}
          </section>
        ))
      )}
    </>
  );
}

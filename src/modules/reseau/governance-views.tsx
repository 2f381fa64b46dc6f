import { formatDate, formatDateTime } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  Notice,
  Select,
} from '../../platform/ui/components.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import type { ContactView } from './contact-access.ts';
import type { MinutesVersion } from './minutes.ts';
import { MEMBER_STATUSES, NEWS_FREQUENCIES } from './vocabulary.ts';

type Values = Record<string, string | undefined>;
type Choice = { value: string; label: string };

/**
 * A contact of a member for the coordination: invite them to Relais (when they agreed), and
 * send or renew the address of their own calendar.
 */
export function ContactPage(props: {
  view: ContactView;
  collectivites: Choice[];
  csrf: string;
  values: Values;
  errors: FieldErrors;
  flash?: string | undefined;
}): JSX.Element {
  const { member: m, contact: c } = props.view;
  const base = `/admin/reseau/membres/${m.id}/contacts/${c.id}`;
  const invitable = m.status === 'membre' && c.unsubscribed_at === null && c.compte_invite_at === null;
  return (
    <>
      <h1 safe>{c.nom}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      <SummaryList
        hideEmpty
        rows={[
          ['Structure', `${m.nom} (${MEMBER_STATUSES[m.status].toLowerCase()})`],
          ['Fonction', c.fonction],
          ['Courriel', c.email],
          ['Téléphone', c.telephone],
          ['Accord donné le', formatDate(c.consent_at)],
          [
            'Actualités',
            c.unsubscribed_at
              ? `Désabonné(e) le ${formatDate(c.unsubscribed_at)}`
              : NEWS_FREQUENCIES[c.frequence],
          ],
          [
            'Compte sur Relais',
            c.compte_invite_at ? `Invité(e) le ${formatDateTime(c.compte_invite_at)}` : null,
          ],
        ]}
      />
      {/* The target of the errors about the invitation as a whole (not one field). */}
      <h2 id="champ-compte" tabindex="-1">
        Inviter sur Relais
      </h2>
      {c.compte_invite_at ? (
        <p safe>{`Cette personne a été invitée le ${formatDateTime(c.compte_invite_at)}.`}</p>
      ) : invitable ? (
        <form method="post" action={`${base}/compte`} novalidate>
          <CsrfField token={props.csrf} />
          <p>
            La personne reçoit un lien (valable 7 jours) pour choisir son mot de passe. Elle aura le rôle de
            médiateur numérique dans la collectivité choisie : elle verra les personnes qu’elle accompagne et
            ses propres comptes rendus d’activité, rien d’autre.
          </p>
          <Select
            name="collectivite"
            label="Collectivité où la personne agira"
            options={[{ value: '', label: 'Choisir…' }, ...props.collectivites]}
            value={props.values.collectivite}
            error={props.errors.collectivite}
          />
          <ChoiceGroup
            type="checkbox"
            name="accord_compte"
            legend="Accord de la personne"
            options={[{ value: 'oui', label: 'La personne a demandé ou accepté un compte sur Relais' }]}
            checked={props.values.accord_compte === 'oui' ? ['oui'] : []}
            error={props.errors.accord_compte}
            className="checkboxes"
          />
          <button type="submit" class="button">
            Envoyer l’invitation
          </button>
        </form>
      ) : (
        <p>
          {m.status !== 'membre'
            ? 'Seuls les contacts d’une structure membre du réseau peuvent être invités.'
            : 'Cette personne s’est désabonnée du réseau : elle ne peut pas être invitée.'}
        </p>
      )}
      <h2>Son agenda du réseau</h2>
      <p>
        Les réunions où sa structure est invitée et les événements où elle s’est inscrite, dans son
        application d’agenda. Adresse personnelle :
      </p>
      <p class="secret" safe>
        {props.view.feedUrl}
      </p>
      <form method="post" action={`${base}/calendrier/envoyer`}>
        <CsrfField token={props.csrf} />
        <button type="submit" class="button button--secondary">
          Lui envoyer ce lien par courriel
        </button>
      </form>
      <form method="post" action={`${base}/calendrier/renouveler`}>
        <CsrfField token={props.csrf} />
        <button type="submit" class="button button--danger">
          Renouveler le lien (l’ancien ne fonctionnera plus) et lui envoyer le nouveau
        </button>
      </form>
      <p>
        <a href={`/admin/reseau/membres/${m.id}`}>Retour à la structure</a>
      </p>
    </>
  );
}

const size = (bytes: number | null) =>
  bytes === null
    ? ''
    : bytes < 1024 * 1024
      ? `${Math.ceil(bytes / 1024)} Ko`
      : `${(bytes / 1048576).toFixed(1)} Mo`;

/** Every version of a meeting's minutes, each downloadable, and the form to attach signed minutes. */
export function MinutesVersionsPage(props: {
  event: { id: string; titre: string };
  versions: MinutesVersion[];
  csrf: string;
  errors: FieldErrors;
  flash?: string | undefined;
}): JSX.Element {
  const base = `/admin/reseau/evenements/${props.event.id}/compte-rendu`;
  return (
    <>
      <h1 safe>{`Comptes rendus — ${props.event.titre}`}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      <p>
        <a href={`${base}.pdf`}>Télécharger le compte rendu (PDF)</a> : la réunion, les présences, le dernier
        texte et les décisions.
      </p>
      <h2>Versions</h2>
      <p>Chaque version est gardée telle qu’elle a été enregistrée : aucune n’est remplacée.</p>
      {props.versions.length === 0 ? (
        <p>Aucun compte rendu enregistré.</p>
      ) : (
        <Table
          caption="Versions du compte rendu"
          captionHidden
          columns={['Version', 'Enregistrée le', 'Nature', 'Fichier']}
        >
          {[...props.versions].reverse().map((v) => (
            <tr>
              <td safe>{String(v.numero)}</td>
              <td safe>{formatDateTime(v.at)}</td>
              <td safe>
                {v.kind === 'pdf'
                  ? `Compte rendu signé${v.pdf_nom ? ` (${v.pdf_nom}, ${size(v.size)})` : ''}`
                  : 'Texte'}
              </td>
              <td>
                <a href={`${base}/versions/${v.numero}`} safe>
                  {`Télécharger la version ${v.numero} (PDF)`}
                </a>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Joindre le compte rendu signé</h2>
      <form method="post" action={`${base}/versions`} enctype="multipart/form-data" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="fichier"
          type="file"
          accept="application/pdf"
          label="Compte rendu signé (PDF, 20 Mo au plus)"
          hint="Il s’ajoute comme nouvelle version ; les précédentes restent."
          error={props.errors.fichier}
        />
        <button type="submit" class="button">
          Joindre le compte rendu signé
        </button>
      </form>
      <p>
        <a href={`/admin/reseau/evenements/${props.event.id}`}>Retour à la réunion</a>
      </p>
    </>
  );
}

/** The unsubscribe page's other choice: keep the news, each as it comes or once a week. */
export function FrequencyForm(props: {
  action: string;
  csrf: string;
  current: string;
  error?: string | undefined;
}): JSX.Element {
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrf} />
      <ChoiceGroup
        type="radio"
        name="frequence"
        legend="Ou bien recevoir les actualités autrement"
        options={[
          { value: 'immediate', label: 'Chaque actualité, dès sa publication' },
          { value: 'hebdomadaire', label: 'Un résumé par semaine (le lundi)' },
        ]}
        checked={[props.current]}
        error={props.error}
        className="checkboxes"
      />
      <button type="submit" class="button button--secondary">
        Enregistrer mon choix
      </button>
    </form>
  );
}

/** What the contact sees once their choice is saved. */
export function FrequencySavedPage(props: { frequence: keyof typeof NEWS_FREQUENCIES }): JSX.Element {
  return (
    <>
      <h1>Votre choix est enregistré</h1>
      <Notice kind="success">
        <p>
          {props.frequence === 'hebdomadaire'
            ? 'Vous recevrez un résumé des actualités du réseau chaque semaine, le lundi.'
            : 'Vous recevrez chaque actualité du réseau dès sa publication.'}
        </p>
      </Notice>
    </>
  );
}

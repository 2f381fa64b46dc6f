import { formatDateTime } from '../../platform/paris-time.ts';
import { ErrorSummary, Field, type FieldErrors, fieldId, safeNumber } from '../../platform/ui/components.tsx';
import type { JournalEntry, JournalFilter } from './service.ts';

/** French labels for the actions; unknown actions show their code. */
export const ACTION_LABELS: Record<string, string> = {
  'auth.signin.success': 'Connexion réussie',
  'auth.signin.failure': 'Échec de connexion',
  'auth.signout': 'Déconnexion',
  'opsn.update': 'Identité de l’OPSN modifiée',
  'collectivite.add': 'Collectivité ajoutée',
  'collectivite.remove': 'Collectivité retirée',
  'collectivite.theme': 'Collectivité personnalisée',
  'user.create': 'Compte créé',
  'user.invite': 'Invitation envoyée',
  'auth.invitation.accepted': 'Invitation acceptée',
  'auth.totp.enrolled': 'Double authentification activée',
  'auth.second_factor.failure': 'Code de sécurité refusé',
  'auth.lockout': 'Compte bloqué après des échecs',
  'auth.reauth': 'Identité confirmée (action sensible)',
  'auth.reauth.failure': 'Confirmation d’identité refusée',
  'auth.totp.reset': 'Double authentification réinitialisée',
  'auth.session.revoke': 'Session fermée',
  'auth.signout.everywhere': 'Déconnexion partout',
  'auth.password_reset.request': 'Réinitialisation du mot de passe demandée',
  'auth.password_reset': 'Mot de passe réinitialisé',
  'auth.proconnect.link': 'Compte lié à une identité ProConnect',
  'auth.proconnect.failure': 'Échec de connexion par ProConnect',
  'user.role': 'Rôle changé',
  'user.deactivate': 'Compte désactivé',
  'user.reactivate': 'Compte réactivé',
  'mail.outbox.read': 'Courriels consultés',
  'token.create': 'Jeton d’API créé',
  'token.revoke': 'Jeton d’API révoqué',
  'token.use': 'Jeton d’API utilisé',
  'auth.token.failure': 'Jeton d’API refusé',
  'audit.export': 'Journal exporté',
  'audit.signature.start': 'Signature du journal commencée (clé RELAIS_AUDIT_KEY)',
  'job.run': 'Tâche planifiée lancée à la main',
  'lieux.import': 'Lieux importés',
  'lieux.create': 'Lieu créé',
  'lieux.update': 'Lieu modifié',
  'lieux.publish': 'Lieu publié',
  'lieux.unpublish': 'Lieu retiré de l’annuaire',
  'ifn.import': 'Indice de fragilité numérique importé',
  'donnees.publish': 'Données ouvertes régénérées',
  'activites.places': 'Lieux d’activité choisis',
  'lieux_activite.proposition': 'Lieux d’activité proposés par le médiateur',
  'lieux_activite.approbation': 'Lieu d’activité approuvé',
  'lieux_activite.attribution': 'Lieu d’activité attribué',
  'lieux_activite.refus': 'Lieu d’activité refusé',
  'lieux_activite.retrait': 'Lieu d’activité retiré',
  'alerte.lieux_activite.auto_approbation':
    'Alerte : approbation refusée (ses propres lieux, ou un compte que la même personne a invité)',
  'alerte.lieux_activite.invitations_liees':
    'Alerte : lieux approuvés entre comptes liés par leurs invitations',
  'beneficiaire.list': 'Liste ou recherche de bénéficiaires consultée',
  'activite.create': 'Compte rendu d’activité enregistré',
  'activite.update': 'Compte rendu d’activité modifié',
  'activite.delete': 'Compte rendu d’activité supprimé',
  'activites.export': 'Activités exportées',
  'beneficiaire.create': 'Bénéficiaire enregistré',
  'beneficiaire.read': 'Fiche bénéficiaire consultée',
  'beneficiaire.update': 'Fiche bénéficiaire modifiée',
  'beneficiaire.merge': 'Doublons fusionnés',
  'beneficiaire.delete': 'Bénéficiaire supprimé',
  'beneficiaire.export': 'Données d’un bénéficiaire exportées',
  'beneficiaire.purge': 'Bénéficiaires effacés (durée de conservation)',
  'statistiques.partage.creation': 'Lien de statistiques publié',
  'statistiques.partage.retrait': 'Lien de statistiques retiré',
  'habilitation.accordee': 'Habilitation aux mandats accordée',
  'habilitation.avertie': 'Aidant averti de la perte prochaine de son habilitation',
  'habilitation.retiree': 'Habilitation aux mandats retirée',
  'habilitation.auto_invitation': 'Alerte : habilitation accordée par la personne qui a invité ce compte',
  'mandat.identite_verifiee': 'Mandat : identité de la personne vérifiée (brouillon)',
  'mandat.personne_identifiee': 'Mandat : personne identifiée',
  'mandat.code_refuse': 'Mandat : code de confirmation refusé',
  'mandat.sms_envoye': 'Mandat : demande d’accord envoyée par SMS',
  'mandat.sms_echec': 'Mandat : échec de l’envoi du SMS',
  'mandat.sms_recu': 'Mandat : accord reçu par SMS',
  'mandat.sms_refuse': 'Mandat : accord refusé ou expiré',
  'mandat.attestation_creee': 'Mandat : attestation créée',
  'mandat.autorisation_creee': 'Mandat : autorisation créée',
  'mandat.autorisation_utilisee': 'Mandat : utilisation déclarée',
  'mandat.autorisation_revoquee': 'Mandat : autorisation révoquée',
  'mandat.revoque': 'Mandat révoqué',
  'mandat.renouvele': 'Mandat renouvelé',
  'mandat.expire': 'Mandat expiré',
  'mandat.consulte': 'Mandat consulté',
  'mandat.list': 'Liste de mandats consultée',
  'mandat.demande_annulee': 'Mandat : demande d’accord annulée par l’aidant',
  'mandat.purge': 'Mandats effacés (durée de conservation)',
  'sms.outbox.read': 'SMS de développement consultés',
  'sms.reponse_simulee': 'Réponse SMS saisie (développement)',
};

/** The French label of an action, or its code when it has none. */
export const actionLabel = (action: string): string => ACTION_LABELS[action] ?? action;

const subjectLabel = (e: JournalEntry) => (e.subject_type ? `${e.subject_type} ${e.subject_id}` : '—');

export function JournalPage(props: {
  entries: JournalEntry[];
  actions: string[];
  filter: JournalFilter;
  errors: FieldErrors;
  page: number;
  hasNext: boolean;
  query: string;
}): JSX.Element {
  const { filter, errors } = props;
  const pageLink = (page: number) =>
    `/admin/journal?${new URLSearchParams({ ...clean(filter), page: String(page) })}`;
  return (
    <>
      <h1>Journal d’audit</h1>
      <p>
        Chaque connexion, chaque changement et chaque accès à des données personnelles y est inscrit. Les
        entrées sont chaînées : toute modification se voit (commande{' '}
        <code>npm run relais -- audit verify</code>).
      </p>
      <ErrorSummary errors={errors} />
      <form method="get" action="/admin/journal" class="filters">
        <div class="field">
          <label for={fieldId('action')}>Action</label>
          <select id={fieldId('action')} name="action">
            <option value="">Toutes</option>
            {props.actions.map((a) => (
              <option value={a} selected={filter.action === a} safe>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </div>
        <Field name="from" type="date" label="Depuis le" value={filter.from} error={errors.from} />
        <Field name="to" type="date" label="Jusqu’au" value={filter.to} error={errors.to} />
        <div class="button-group">
          <button type="submit" class="button">
            Filtrer
          </button>
          <a href={`/admin/journal.csv${props.query ? `?${props.query}` : ''}`}>Exporter en CSV</a>
        </div>
      </form>
      {props.entries.length === 0 ? (
        <p>Aucune entrée ne correspond à ces critères.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Entrées du journal, les plus récentes d’abord (page {safeNumber(props.page)})</caption>
            <thead>
              <tr>
                <th scope="col">N°</th>
                <th scope="col">Date</th>
                <th scope="col">Qui</th>
                <th scope="col">Action</th>
                <th scope="col">Objet</th>
                <th scope="col">Adresse IP</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => (
                <tr>
                  <td class="num">{safeNumber(e.id)}</td>
                  <td safe>{formatDateTime(e.at, 'short', true)}</td>
                  <td safe>{e.actor_label}</td>
                  <td safe>{actionLabel(e.action)}</td>
                  <td safe>{subjectLabel(e)}</td>
                  <td safe>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages du journal" class="button-group">
        {props.page > 1 ? <a href={pageLink(props.page - 1)}>Page précédente</a> : ''}
        {props.hasNext ? <a href={pageLink(props.page + 1)}>Page suivante</a> : ''}
      </nav>
    </>
  );
}

const clean = (filter: JournalFilter) =>
  Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Record<string, string>;

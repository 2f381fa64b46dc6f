import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of sign-in, second factor, invitations, accounts and sessions, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'auth.signin.success': 'Connexion réussie',
  'auth.signin.failure': 'Échec de connexion',
  'auth.signout': 'Déconnexion',
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
  'user.role': 'Rôle changé',
  'user.deactivate': 'Compte désactivé',
  'user.reactivate': 'Compte réactivé',
  'mail.outbox.read': 'Courriels consultés',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    comptes: typeof AUDIT_ACTIONS;
  }
}

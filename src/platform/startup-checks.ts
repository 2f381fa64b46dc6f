import type { Config } from './config.ts';
import { isLoopbackHost } from './http/health.ts';

/**
 * The settings that make a running instance unsafe, in French, for the warning `serve` prints
 * and logs at start. In production, each weak setting; elsewhere, only that a server reachable
 * beyond this machine is not in production mode. What the configuration refuses outright (an
 * SMS provider without its secret…) never gets this far.
 */
export function unsafeSettings(config: Config): string[] {
  if (config.env !== 'production') {
    return isLoopbackHost(config.host)
      ? []
      : [
          `NODE_ENV=${config.env} alors que Relais écoute sur ${config.host} : réglez NODE_ENV=production sur un serveur (secrets de développement, SMS simulés).`,
        ];
  }
  const problems: string[] = [];
  if (!config.publicUrl.startsWith('https:')) {
    problems.push(
      `PUBLIC_URL (${config.publicUrl}) n’est pas en https : cookies sans l’attribut Secure, pas de HSTS.`,
    );
  }
  if (!config.cookieSecret) {
    problems.push(
      'COOKIE_SECRET absent : le secret des cookies est généré et gardé dans la base, donc dans chaque sauvegarde.',
    );
  }
  if (!config.auditKey) {
    problems.push(
      'RELAIS_AUDIT_KEY absent : les entrées du journal ne sont pas signées ; un rôle de base de données qui peut écrire la table pourrait les réécrire sans que « audit verify » le voie.',
    );
  }
  if (config.trustProxy === false && isLoopbackHost(config.host) && config.publicUrl.startsWith('https:')) {
    problems.push(
      'TRUST_PROXY=false derrière un proxy (HOST local, PUBLIC_URL en https) : toutes les requêtes semblent venir du proxy ; les limites de débit s’appliquent à tous ensemble et le journal enregistre l’adresse du proxy.',
    );
  }
  if (!config.metricsToken && !isLoopbackHost(config.host)) {
    problems.push(
      'METRICS_TOKEN absent : /metrics est fermé (404) tant que Relais écoute au-delà de cette machine.',
    );
  }
  if (config.sms.provider === 'dev') {
    problems.push(
      'SMS_PROVIDER=dev : aucun SMS ne part, et les administrateurs répondent à la place des personnes dans /admin/sms ; réglez un fournisseur (SMS_PROVIDER=http).',
    );
  }
  if (!config.smtpUrl) {
    problems.push(
      'SMTP_URL absent : les courriels (invitations, réinitialisations) restent dans la boîte d’envoi que lisent les administrateurs.',
    );
  }
  if (!config.backup.destination) {
    problems.push(
      'RELAIS_BACKUP_DESTINATION absent : aucune sauvegarde planifiée n’est écrite, ni vérifiée par l’exercice de restauration hebdomadaire (voir README, « Backups »).',
    );
  }
  if (['debug', 'trace'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL=${config.logLevel} : les journaux détaillés ne conviennent pas à la production.`,
    );
  }
  return problems;
}

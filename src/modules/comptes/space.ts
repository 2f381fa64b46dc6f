import { sql } from 'kysely';
import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';

const mails = (n: number) => (n > 1 ? `${n} courriels` : `${n} courriel`);

/**
 * For administrators: mail that did not leave. Without an SMTP server every mail waits in the
 * outbox for them to pass on; with one, only failures do.
 */
export const outboxBlock: SpaceSection = async ({ db, config }, actor) => {
  if (!can(actor, 'opsn.manage')) return null;
  const counts = await db
    .selectFrom('mail_outbox')
    .select([
      sql<number>`count(*) filter (where status = 'failed')::int`.as('failed'),
      sql<number>`count(*) filter (where status = 'outbox')::int`.as('waiting'),
    ])
    .executeTakeFirstOrThrow();
  const facts: string[] = [];
  if (counts.failed > 0) facts.push(`${mails(counts.failed)} en échec d’envoi`);
  if (!config.smtpUrl)
    facts.push(
      counts.waiting > 0
        ? `${mails(counts.waiting)} à transmettre vous-même : aucun serveur SMTP n’est configuré`
        : 'Aucun serveur SMTP n’est configuré : les courriels resteront ici.',
    );
  if (facts.length === 0) facts.push('Aucun courriel en échec d’envoi.');
  return {
    title: 'Courriels',
    rank: 50,
    facts,
    links: [{ href: '/admin/courriels', label: 'Lire les courriels envoyés' }],
  };
};

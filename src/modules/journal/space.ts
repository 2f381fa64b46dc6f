import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';

/** Entries wait this long at most for the sealer (it runs every second while Relais serves). */
const SEAL_DELAY_MS = 5 * 60 * 1000;

const entries = (n: number) => (n > 1 ? `${n} entrées` : `${n} entrée`);

/**
 * For those who read the journal: how far it is sealed (hash-chained), whether entries wait for
 * the sealer longer than they should, and whether the entries are signed.
 */
export const journalBlock: SpaceSection = async ({ db, config }, actor) => {
  if (!can(actor, 'audit.read')) return null;
  const [sealed, waiting] = await Promise.all([
    db
      .selectFrom('audit_event')
      .select(['seq', 'at'])
      .where('seq', 'is not', null)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('audit_event')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('at').as('oldest')])
      .where('seq', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const pending = Number(waiting.n);
  const oldest = waiting.oldest === null ? null : new Date(waiting.oldest);
  const late = oldest !== null && Date.now() - oldest.getTime() > SEAL_DELAY_MS;
  const facts = [
    sealed
      ? `${entries(Number(sealed.seq))} ${Number(sealed.seq) > 1 ? 'scellées' : 'scellée'}, la dernière du ${formatDateTime(sealed.at, 'short')}`
      : 'Aucune entrée scellée pour l’instant.',
  ];
  if (pending > 0)
    facts.push(
      `${entries(pending)} en attente de scellement${oldest ? ` depuis le ${formatDateTime(oldest, 'short')}` : ''}`,
    );
  facts.push(
    config.auditKey
      ? 'Les entrées sont signées avec la clé du journal.'
      : 'Les entrées ne sont pas signées : la clé du journal (RELAIS_AUDIT_KEY) n’est pas définie.',
  );
  return {
    title: 'Journal d’audit',
    rank: 20,
    ...(late
      ? {
          text: 'Des entrées attendent leur scellement depuis plus de cinq minutes : vérifiez que Relais tourne normalement.',
        }
      : {}),
    facts,
    links: [{ href: '/admin/journal', label: 'Consulter le journal d’audit' }],
  };
};

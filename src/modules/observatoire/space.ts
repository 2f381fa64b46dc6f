import { isAdmin } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { formatDate } from '../../platform/paris-time.ts';
import { KIND_LABELS } from './ifn-file.ts';
import { listVintages } from './query.ts';
import { IFN_ADMIN_PATH } from './views.tsx';

/** For administrators: the fragility index's latest vintages, and the page to import one. */
export const indexBlock: SpaceSection = async ({ db }, actor) => {
  if (!isAdmin(actor)) return null;
  const vintages = await listVintages(db);
  const latest = vintages.filter((v) => v.year === vintages[0]?.year);
  return {
    title: 'Indice de fragilité numérique',
    rank: 30,
    facts:
      latest.length === 0
        ? ['Aucun millésime importé : l’observatoire ne montre pas encore l’indice.']
        : latest.map(
            (v) =>
              `Millésime ${v.year} des ${KIND_LABELS[v.kind].many}, importé le ${formatDate(v.importedAt, 'short')}`,
          ),
    links: [{ href: IFN_ADMIN_PATH, label: 'Importer et consulter l’indice' }],
  };
};

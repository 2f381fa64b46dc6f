import { systemActor } from '../../platform/auth/policy.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { addCollectivite, findCollectiviteByCode, saveOpsn, updateTheme } from './service.ts';

/** Six communes of the Métropole de Lyon and two of the Loire, as in the reference data. */
export const DEMO_COMMUNES = ['69266', '69259', '69256', '69029', '69034', '69286', '42207', '42187'];

export async function seedTerritoires({ db }: ModuleContext): Promise<void> {
  const actor = systemActor('seed');
  await saveOpsn(db, actor, {
    name: 'Syndicat mixte Numérique Rhône-Loire',
    shortName: 'Numérique Rhône-Loire',
    contactEmail: 'inclusion@numerique-rhone-loire.example',
    contactPhone: '0472000000',
    website: 'https://www.numerique-rhone-loire.example',
    description:
      'Opérateur public de services numériques, nous aidons nos communes membres à accompagner leurs habitants dans les démarches en ligne et les usages du numérique.',
  });
  for (const code of DEMO_COMMUNES) {
    if (await findCollectiviteByCode(db, code)) continue;
    const result = await addCollectivite(db, actor, code);
    if (!result.ok) throw new Error(result.reason);
  }
  const villeurbanne = await findCollectiviteByCode(db, '69266');
  if (villeurbanne) {
    await updateTheme(db, actor, villeurbanne.id, {
      displayName: 'Ville de Villeurbanne',
      brandColour: '#a3195b',
    });
  }
}

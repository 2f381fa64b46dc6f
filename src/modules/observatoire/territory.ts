import type { Db } from '../../platform/db/database.ts';
import { type Collectivite, displayName, getOpsn, listCollectivites } from '../territoires/index.ts';

/**
 * The territories the observatory describes: the OPSN as a whole, each member collectivité
 * (a commune, or an EPCI with its member communes) and each commune of a member EPCI.
 */
export type Territory = {
  /** Its address under `/observatoire/` (`opsn`, a collectivité's slug, or a commune's INSEE code). */
  slug: string;
  kind: 'opsn' | 'collectivite' | 'commune';
  name: string;
  /** The communes it covers (INSEE codes). */
  communes: string[];
  /** The code its fragility index is published under (a commune's INSEE code, an EPCI's SIREN). */
  indexCode: string | null;
  /** The member collectivité it is or belongs to (its activity, its logo). */
  collectivite: Collectivite | null;
  /** Population from the official reference (sum of the communes'). */
  population: number | null;
};

const communesOf = (c: Collectivite): string[] =>
  c.kind === 'commune' ? [c.code] : c.member_communes.map((m) => m.code);

function collectiviteTerritory(c: Collectivite): Territory {
  return {
    slug: c.slug,
    kind: 'collectivite',
    name: displayName(c),
    communes: communesOf(c),
    indexCode: c.code,
    collectivite: c,
    population: c.population,
  };
}

/** Every territory of the OPSN, the OPSN first, then its collectivités and their communes. */
export async function listTerritories(db: Db): Promise<Territory[]> {
  const [opsn, collectivites] = await Promise.all([getOpsn(db), listCollectivites(db)]);
  const all: Territory[] = [
    {
      slug: 'opsn',
      kind: 'opsn',
      name: opsn?.name ?? 'Tout le territoire',
      communes: [...new Set(collectivites.flatMap(communesOf))],
      indexCode: null,
      collectivite: null,
      population: collectivites.reduce((sum, c) => sum + (c.population ?? 0), 0) || null,
    },
  ];
  for (const c of collectivites) {
    all.push(collectiviteTerritory(c));
    if (c.kind === 'epci')
      for (const m of c.member_communes)
        all.push({
          slug: m.code,
          kind: 'commune',
          name: m.name,
          communes: [m.code],
          indexCode: m.code,
          collectivite: c,
          population: m.population,
        });
  }
  return all;
}

/** The territory at this address, or undefined. */
export async function findTerritory(db: Db, slug: string): Promise<Territory | undefined> {
  if (!/^[a-z0-9-]{1,80}$/i.test(slug)) return undefined;
  return (await listTerritories(db)).find((t) => t.slug === slug);
}

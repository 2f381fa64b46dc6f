import { activiteDataset } from './activite-dataset.ts';
import type { Dataset } from './dataset.ts';
import { indiceDataset } from './indice-dataset.ts';
import { lieuxDataset } from './lieux-dataset.ts';

/**
 * Every dataset Relais publishes, in the order pages list them. The module's own datasets
 * are here from the start; other modules add theirs (or supply a generator for a dataset
 * announced here) with `registerDataset` when they are loaded.
 */
const registry = new Map<string, Dataset>(
  [lieuxDataset, activiteDataset, indiceDataset].map((dataset) => [dataset.id, dataset]),
);

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Adds a dataset, or replaces the one with the same id (keeping its place in the list). */
export function registerDataset(dataset: Dataset): void {
  if (!SLUG.test(dataset.id)) throw new Error(`Dataset id must be a lower-case slug: ${dataset.id}`);
  if (dataset.id === 'catalogue') throw new Error('The id « catalogue » names the DCAT catalogue.');
  registry.set(dataset.id, dataset);
}

export function listDatasets(): Dataset[] {
  return [...registry.values()];
}

export function findDataset(id: string): Dataset | undefined {
  return registry.get(id);
}

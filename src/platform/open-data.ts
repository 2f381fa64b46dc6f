import type { Db } from './db/database.ts';
import { signal } from './jobs/signals.ts';

/**
 * What a module contributes to the open data (`RelaisModule.datasets`): the `donnees` module
 * publishes every module's datasets under `/donnees/{id}`, in CSV and JSON, with their pages
 * and the DCAT catalogue.
 */

/** Kinds of values a column holds (the names of the Table Schema types). */
export type ColumnType = 'string' | 'integer' | 'number' | 'date' | 'yearmonth';

/** One column of a dataset, as its dictionary describes it to reusers. */
export type Column = {
  name: string;
  type: ColumnType;
  description: string;
  /** What a number counts or measures (« accompagnements », « % »…). */
  unit?: string;
  /** The values the column may take (a multi-valued column joins several with `|`). */
  values?: readonly string[];
};

/** One row of a dataset: a value per column name, null when empty (or suppressed). */
export type DatasetRow = Record<string, string | number | null>;

/**
 * A dataset published under `/donnees/{id}`. `generate` reads the database and returns its
 * rows; a dataset without it is listed as not yet available.
 */
export type Dataset = {
  /** Stable slug: the dataset's URLs and the catalogue identifiers derive from it. */
  id: string;
  title: string;
  description: string;
  keywords: readonly string[];
  columns: readonly Column[];
  /** Further notes for reusers (how small numbers are hidden, what a row is…). */
  notes?: readonly string[];
  /** The standard the rows follow: its name and the address of its schema. */
  conformsTo?: { label: string; url: string };
  generate?: (db: Db) => Promise<DatasetRow[]>;
};

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Every module's datasets, in module order, checked: slug ids, unique, none called `catalogue`. */
export function collectDatasets(
  modules: readonly { name: string; datasets?: readonly Dataset[] | undefined }[],
): Dataset[] {
  const datasets: Dataset[] = [];
  for (const mod of modules) {
    for (const dataset of mod.datasets ?? []) {
      if (!SLUG.test(dataset.id))
        throw new Error(`Dataset id must be a lower-case slug: ${dataset.id} (module ${mod.name})`);
      if (dataset.id === 'catalogue') throw new Error('The id « catalogue » names the DCAT catalogue.');
      if (datasets.some((d) => d.id === dataset.id))
        throw new Error(`Dataset ${dataset.id} is declared twice (module ${mod.name})`);
      datasets.push(dataset);
    }
  }
  return datasets;
}

/**
 * Says that data behind the open datasets changed (places imported or published, an index
 * imported): they are published again within a few minutes, once for many changes.
 */
export function datasetsChanged(db: Db): Promise<void> {
  return signal(db, 'datasets.changed');
}

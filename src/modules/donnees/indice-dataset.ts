import type { Dataset } from './dataset.ts';

/**
 * Announced here, built by the observatory: the digital fragility index of each commune of
 * the territory joined with how well places of mediation cover it. The observatory supplies
 * its columns and its `generate` with `registerDataset({ ...indiceDataset, columns, generate })`;
 * until then the dataset is listed as not yet available.
 */
export const indiceDataset: Dataset = {
  id: 'indice-fragilite-couverture',
  title: 'Indice de fragilité numérique et couverture par les lieux de médiation, par commune',
  description:
    'Pour chaque commune du territoire : l’indice de fragilité numérique (IFN) et ses indicateurs, ' +
    'rapprochés de la présence de lieux de médiation numérique, pour repérer les communes fragiles peu couvertes.',
  keywords: ['inclusion numérique', 'indice de fragilité numérique', 'IFN', 'couverture', 'communes'],
  columns: [],
};

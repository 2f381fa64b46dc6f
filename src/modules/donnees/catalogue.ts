import type { Dataset, Format } from './dataset.ts';
import { MEDIA_TYPES, type PublishedFile } from './publish.ts';

export const LICENCE_URL = 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/';
export const LICENCE_NAME = 'Licence Ouverte 2.0 (Etalab)';

/** The EU vocabularies DCAT-AP asks for formats, languages and frequencies. */
const EU = 'http://publications.europa.eu/resource/authority';
const FILE_TYPES: Record<Format, string> = { csv: `${EU}/file-type/CSV`, json: `${EU}/file-type/JSON` };

const CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  spdx: 'http://spdx.org/rdf/terms#',
};

export type CataloguePublisher = {
  name: string;
  email?: string | null | undefined;
  website?: string | null | undefined;
};

/** The stable addresses of a dataset and its files, under the configured public URL. */
export const datasetUrl = (base: string, id: string) => `${base}/donnees/${id}`;
export const fileUrl = (base: string, id: string, format: Format) => `${base}/donnees/${id}.${format}`;
export const catalogueUrl = (base: string) => `${base}/donnees/catalogue.jsonld`;

const fr = (value: string) => ({ '@value': value, '@language': 'fr' });
const dateTime = (date: Date) => ({ '@value': date.toISOString(), '@type': 'xsd:dateTime' });
const ref = (id: string) => ({ '@id': id });

const latest = (files: readonly PublishedFile[]) =>
  new Date(Math.max(...files.map((f) => f.generated_at.getTime())));

function distribution(base: string, dataset: Dataset, file: PublishedFile) {
  const url = fileUrl(base, dataset.id, file.format);
  return {
    '@id': url,
    '@type': 'dcat:Distribution',
    'dct:title': fr(`${dataset.title} (${file.format.toUpperCase()})`),
    'dcat:accessURL': ref(url),
    'dcat:downloadURL': ref(url),
    'dcat:mediaType': ref(`http://www.iana.org/assignments/media-types/${MEDIA_TYPES[file.format]}`),
    'dct:format': ref(FILE_TYPES[file.format]),
    'dcat:byteSize': { '@value': String(file.bytes), '@type': 'xsd:nonNegativeInteger' },
    'dct:license': ref(LICENCE_URL),
    'dct:modified': dateTime(file.generated_at),
    'spdx:checksum': {
      '@type': 'spdx:Checksum',
      'spdx:algorithm': ref('spdx:checksumAlgorithm_sha256'),
      'spdx:checksumValue': { '@value': file.sha256, '@type': 'xsd:hexBinary' },
    },
    ...(dataset.conformsTo ? { 'dct:conformsTo': ref(dataset.conformsTo.url) } : {}),
  };
}

/**
 * The DCAT-AP (DCAT 2) catalogue of the published datasets, in JSON-LD, for harvesters such
 * as data.gouv.fr's. Datasets without files yet are left out: a harvested dataset with
 * nothing to download would only mislead.
 */
export function buildCatalogue(options: {
  base: string;
  publisher: CataloguePublisher;
  datasets: readonly Dataset[];
  files: readonly PublishedFile[];
}) {
  const { base, publisher } = options;
  const publisherId = `${base}/#operateur`;
  const available = options.datasets.flatMap((dataset) => {
    const files = options.files.filter((f) => f.dataset === dataset.id);
    return files.length > 0 ? [{ dataset, files }] : [];
  });
  const contact = {
    '@type': 'vcard:Organization',
    'vcard:fn': publisher.name,
    ...(publisher.email ? { 'vcard:hasEmail': ref(`mailto:${publisher.email}`) } : {}),
  };
  return {
    '@context': CONTEXT,
    '@id': catalogueUrl(base),
    '@type': 'dcat:Catalog',
    'dct:title': fr(`Données ouvertes de ${publisher.name}`),
    'dct:description': fr(
      `Les jeux de données sur l’inclusion numérique publiés par ${publisher.name} sous ${LICENCE_NAME}.`,
    ),
    'dct:language': ref(`${EU}/language/FRA`),
    'dct:license': ref(LICENCE_URL),
    'foaf:homepage': ref(`${base}/donnees`),
    'dct:publisher': {
      '@id': publisherId,
      '@type': 'foaf:Organization',
      'foaf:name': publisher.name,
      ...(publisher.website ? { 'foaf:homepage': ref(publisher.website) } : {}),
    },
    ...(available.length > 0 ? { 'dct:modified': dateTime(latest(available.flatMap((a) => a.files))) } : {}),
    'dcat:dataset': available.map(({ dataset, files }) => ({
      '@id': datasetUrl(base, dataset.id),
      '@type': 'dcat:Dataset',
      'dct:identifier': dataset.id,
      'dct:title': fr(dataset.title),
      'dct:description': fr(dataset.description),
      'dcat:keyword': dataset.keywords.map(fr),
      'dct:license': ref(LICENCE_URL),
      'dct:publisher': ref(publisherId),
      'dct:language': ref(`${EU}/language/FRA`),
      'dct:modified': dateTime(latest(files)),
      'dct:accrualPeriodicity': ref(`${EU}/frequency/DAILY`),
      'dcat:landingPage': ref(datasetUrl(base, dataset.id)),
      'dcat:contactPoint': contact,
      ...(dataset.conformsTo ? { 'dct:conformsTo': ref(dataset.conformsTo.url) } : {}),
      'dcat:distribution': files.map((file) => distribution(base, dataset, file)),
    })),
  };
}

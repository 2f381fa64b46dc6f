import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { type ExportContext, type ExportFormat, exportPlaces } from './export.ts';
import { openingState } from './opening-hours.ts';
import { type SearchHit, searchPlaces, searchSchema } from './search.ts';
import { exportContext } from './service.ts';
import { FRAIS, MODALITES_ACCOMPAGNEMENT, PUBLICS, SERVICES } from './vocabulary.ts';

/** An export as a stream: the first bytes leave before the last places are read. */
function exportStream(db: Db, format: ExportFormat, ctx: ExportContext): Readable {
  const out = new PassThrough();
  exportPlaces(db, format, ctx, async (chunk) => {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }).then(
    () => out.end(),
    (error: Error) => out.destroy(error),
  );
  return out;
}

const list = (description: string, values: readonly string[]) => ({
  type: 'array',
  items: { type: 'string' },
  description: `${description} ; au moins une des valeurs (paramètre répété ou séparées par |) : ${values.join(' ; ')}`,
});

const searchQuerystring = {
  type: 'object',
  properties: {
    q: { type: 'string', description: 'mots cherchés (nom, commune, services), ou un code postal' },
    services: list('services', SERVICES),
    publics: list('publics spécifiquement accueillis', PUBLICS),
    modalites: list('modalités d’accompagnement', MODALITES_ACCOMPAGNEMENT),
    frais: list('frais à charge', FRAIS),
    commune: { type: 'string', description: 'code INSEE, code postal ou nom exact de la commune' },
    near: {
      type: 'string',
      description: 'latitude,longitude : résultats du plus proche au plus loin, avec leur distance',
    },
    rayon_km: { type: 'string', description: 'avec near : distance maximale en kilomètres (0,1 à 500)' },
    ouvert: {
      type: 'string',
      description: '« maintenant » : seulement les lieux ouverts à cet instant (heure de Paris)',
    },
    page: { type: 'string', description: 'page, à partir de 1' },
    limit: { type: 'string', description: 'lieux par page, 1 à 500 (20 par défaut)' },
  },
};

const stringList = { type: 'array', items: { type: 'string' } };
const nullable = (type: string) => ({ type: [type, 'null'] });

const hitSchema = {
  type: 'object',
  required: ['id', 'lmn_id', 'nom', 'adresse', 'commune', 'code_postal', 'url'],
  properties: {
    id: {
      type: 'string',
      format: 'uuid',
      description: 'identifiant Relais (adresse de la page : /lieux/{id})',
    },
    lmn_id: { type: 'string', description: 'identifiant au standard LMN' },
    nom: { type: 'string' },
    adresse: { type: 'string' },
    complement_adresse: nullable('string'),
    commune: { type: 'string' },
    code_postal: { type: 'string' },
    code_insee: nullable('string'),
    latitude: nullable('number'),
    longitude: nullable('number'),
    services: stringList,
    frais_a_charge: stringList,
    modalites_accompagnement: stringList,
    telephone: stringList,
    horaires: { ...nullable('string'), description: 'format OpenStreetMap opening_hours' },
    ouvert: {
      ...nullable('boolean'),
      description: 'ouvert à l’instant de la requête (null : horaires inconnus)',
    },
    distance_km: { ...nullable('number'), description: 'avec near : distance à vol d’oiseau' },
    url: { type: 'string', format: 'uri' },
  },
};

const searchResponse = {
  type: 'object',
  required: ['total', 'total_plafonne', 'page', 'limit', 'items'],
  properties: {
    total: { type: 'integer', description: 'nombre de lieux trouvés (compté jusqu’à 1000)' },
    total_plafonne: { type: 'boolean', description: 'vrai quand il y en a plus de 1000' },
    services_du_besoin: {
      type: 'array',
      items: { type: 'string' },
      description:
        'quand les mots nomment un besoin (« impôts ») : les services LMN des lieux qui y répondent',
    },
    recherche_corrigee: {
      type: 'string',
      description:
        'quand les mots ne trouvaient rien : les mots cherchés à la place (fautes de frappe corrigées)',
    },
    page: { type: 'integer' },
    limit: { type: 'integer' },
    items: { type: 'array', items: hitSchema },
  },
};

const badRequest = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
};

function hitJson(hit: SearchHit, publicUrl: string, now: Date) {
  return {
    ...hit,
    distance_km: hit.distance_km === null ? null : Math.round(hit.distance_km * 100) / 100,
    ouvert: hit.horaires ? (openingState(hit.horaires, now)?.open ?? null) : null,
    url: `${publicUrl}/lieux/${hit.id}`,
  };
}

const download = (description: string, contentType: string) => ({
  tags: ['lieux'],
  summary: description,
  produces: [contentType],
  response: { 200: { description, content: { [contentType]: { schema: { type: 'string' } } } } },
});

/** `/api/v1` routes of the directory: search, and the open-data exports. */
export async function lieuxApi(api: FastifyInstance, { db, config }: ModuleContext): Promise<void> {
  api.get(
    '/lieux',
    {
      config: { access: 'public' },
      schema: {
        tags: ['lieux'],
        summary: 'Chercher des lieux publiés (mots, filtres, proximité, ouverts maintenant)',
        querystring: searchQuerystring,
        response: { 200: searchResponse, 400: badRequest },
      },
    },
    async (request, reply) => {
      const parsed = searchSchema.safeParse(request.query);
      if (!parsed.success) {
        return reply
          .status(400)
          .send({ error: 'bad_request', message: parsed.error.issues.map((i) => i.message).join(' ; ') });
      }
      const now = new Date();
      const result = await searchPlaces(db, parsed.data, now);
      return {
        total: result.total,
        total_plafonne: result.totalIsCapped,
        ...(result.correctedQuery ? { recherche_corrigee: result.correctedQuery } : {}),
        ...(result.needServices.length ? { services_du_besoin: result.needServices } : {}),
        page: result.page,
        limit: result.limit,
        items: result.hits.map((hit) => hitJson(hit, config.publicUrl, now)),
      };
    },
  );

  const exports: [string, ExportFormat, string, string][] = [
    ['/lieux.csv', 'csv', 'text/csv; charset=utf-8', 'Lieux publiés au standard LMN v1 (CSV)'],
    ['/lieux.json', 'json', 'application/json; charset=utf-8', 'Lieux publiés au standard LMN v1 (JSON)'],
    [
      '/structures.json',
      'structures',
      'application/json; charset=utf-8',
      'Lieux publiés en structures data.inclusion v1',
    ],
    [
      '/services.json',
      'services',
      'application/json; charset=utf-8',
      'Services des lieux publiés, data.inclusion v1',
    ],
  ];
  for (const [path, format, contentType, description] of exports) {
    api.get(
      path,
      {
        config: { access: 'public' },
        schema: download(description, contentType.split(';')[0] ?? contentType),
      },
      async (_request, reply) => {
        const ctx = await exportContext(db, config);
        return reply
          .header('content-type', contentType)
          .header('cache-control', 'public, max-age=300')
          .send(exportStream(db, format, ctx));
      },
    );
  }
}

/**
 * The resource library at the scale of a national library: `node --import tsx bench/ressources.ts`
 * (`DATABASE_URL=postgres://…` to run on a throwaway database of that server; `BENCH_RESSOURCES`
 * to change the 20 000 resources). Generates the resources in SQL, each with 5 blocks of
 * French text (the search text the module derives from them), their words in the lexicon of
 * corrections and `ANALYZE`; then times `searchResources` as the public search page calls it
 * (one query at a time, median and p95 over 50 runs after a warm-up) for plain words, two
 * words, a facet, a misspelling corrected and a query that finds nothing; and weighs a resource
 * page with its stylesheets, compressed, against the 50 KB budget. Prints one JSON line at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { parseSearch, searchResources } from '../src/modules/ressources/search.ts';
import { ANONYMOUS } from '../src/platform/auth/policy.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { median, percentile } from './stats.ts';

const COUNT = Number(process.env.BENCH_RESSOURCES ?? 20_000);
const WORDS = [
  'arnaque',
  'messagerie',
  'courriel',
  'smartphone',
  'tablette',
  'ordinateur',
  'sécurité',
  'mot de passe',
  'démarche',
  'impôts',
  'santé',
  'ameli',
  'France Travail',
  'CAF',
  'banque',
  'achat',
  'réseaux sociaux',
  'photo',
  'document',
  'imprimer',
  'scanner',
  'signature',
  'identité',
  'FranceConnect',
  'rendez-vous',
  'vidéo',
  'atelier',
  'débutant',
  'seniors',
  'parents',
  'école',
  'Pronote',
  'emploi',
  'CV',
  'lettre',
  'navigateur',
  'recherche',
  'internet',
  'wifi',
  'données',
  'vie privée',
  'cookies',
  'virus',
  'sauvegarde',
  'clé USB',
  'cloud',
  'application',
  'téléchargement',
  'mise à jour',
  'intelligence artificielle',
];

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-ressources-'));
  const serverUrl = process.env.DATABASE_URL;
  const name = `relais_bench_${randomBytes(6).toString('hex')}`;
  let url: string | undefined;
  if (serverUrl) {
    await withServerConnection(serverUrl, (c) => c.query(`create database "${name}"`));
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const handle = await openDatabase(url ? { databaseUrl: url } : { dataDir });
  const { db, kind } = handle;
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      DATABASE_URL: url,
    });
    await migrateToLatest(db, modules);
    await seedDemoOnce({ db, config });

    // ------------------------------------------------------------------ generation
    let started = performance.now();
    const words = sql`array[${sql.join(WORDS)}]::text[]`;
    await sql`
      with g as (select i, ${words} as w from generate_series(1, ${COUNT}) i)
      insert into ressource (titre, resume, licence, status, visibilite, thematiques, types, publics,
        author_name, search_text, published_at, version)
      select
        initcap(w[1 + (i * 7) % 50]) || ' : ' || w[1 + (i * 13) % 50] || ' et ' || w[1 + (i * 31) % 50] || ' (fiche ' || i || ')',
        'Une fiche sur ' || w[1 + (i * 17) % 50] || ', ' || w[1 + (i * 19) % 50] || ' et ' || w[1 + (i * 23) % 50] || ' pour les ateliers.',
        'etalab_2_0', 'publiee',
        case when i % 10 = 0 then 'reseau' else 'publique' end,
        array[(array['email','securite_numerique','sante','bureautique','prendre_en_main_du_materiel','navigation_sur_internet'])[1 + i % 6]],
        array[(array['ressource_pedagogique','methodologie','article','infographie'])[1 + i % 4]],
        array[(array['tous_publics','seniors','parents','adultes'])[1 + i % 4]],
        'Bench',
        (select string_agg(
          'Section ' || b || '. Pour ' || w[1 + (i * b * 3) % 50] || ', commencez par ' || w[1 + (i * b * 5) % 50]
          || ' puis ' || w[1 + (i * b * 11) % 50] || ' ; vérifiez ' || w[1 + (i + b * 29) % 50]
          || ' avant de passer à ' || w[1 + (i * b + 37) % 50] || '. https://exemple.fr/' || i || '/' || b, E'\n')
          from generate_series(1, 5) b),
        now() - (i || ' minutes')::interval, 1
      from g`.execute(db);
    await sql`
      insert into ressource_bloc (ressource_id, position, kind, texte)
      select r.id, b, 'texte', split_part(r.search_text, E'\n', b)
      from ressource r, generate_series(1, 5) b where r.author_name = 'Bench'`.execute(db);
    await sql`
      insert into ressource_mot (mot)
      select distinct m from ressource r,
        regexp_split_to_table(lower(relais_unaccent(r.titre || ' ' || r.resume || ' ' || r.search_text)), '[^a-z]+') m
      where char_length(m) between 4 and 30
      on conflict do nothing`.execute(db);
    await sql`analyze ressource`.execute(db);
    await sql`analyze ressource_mot`.execute(db);
    const generation = performance.now() - started;

    // ------------------------------------------------------------------ search
    const queries: [string, Record<string, string | string[]>][] = [
      ['one word', { q: 'arnaque' }],
      ['two words', { q: 'messagerie sécurité' }],
      ['plural, no accent', { q: 'impots' }],
      ['word and facet', { q: 'tablette', thematiques: 'sante' }],
      ['facet only, by date', { thematiques: 'email', tri: 'date' }],
      ['misspelling corrected', { q: 'smartfone' }],
      ['nothing found', { q: 'xylophone' }],
    ];
    const results: Record<string, { p50: number; p95: number; count: number; corrected?: string }> = {};
    for (const [label, query] of queries) {
      const s = parseSearch(query);
      for (let i = 0; i < 5; i++) await searchResources(db, ANONYMOUS, s);
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof searchResources>> | undefined;
      for (let i = 0; i < 50; i++) {
        started = performance.now();
        last = await searchResources(db, ANONYMOUS, s);
        times.push(performance.now() - started);
      }
      results[label] = {
        p50: round(median(times)),
        p95: round(percentile(times, 95)),
        count: last?.count ?? 0,
        ...(last?.corrected ? { corrected: last.corrected } : {}),
      };
      console.log(
        `search ${label.padEnd(24)} p50 ${results[label].p50} ms  p95 ${results[label].p95} ms  (${results[label].count} results${last?.corrected ? `, corrected to « ${last.corrected} »` : ''})`,
      );
    }

    // ------------------------------------------------------------------ page weight
    const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
    await app.ready();
    const demo = await db
      .selectFrom('ressource')
      .select('id')
      .where('author_name', '<>', 'Bench')
      .where('visibilite', '=', 'publique')
      .where('status', '=', 'publiee')
      .executeTakeFirstOrThrow();
    const weigh = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, br' } });
      return {
        status: res.statusCode,
        bytes: res.rawPayload.length,
        body: res.headers['content-encoding'] ? '' : res.body,
      };
    };
    const weights: Record<string, number> = {};
    for (const url of [`/ressources/${demo.id}`, '/ressources?q=arnaque']) {
      const page = await app.inject({ method: 'GET', url });
      const css = [...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)"(?! media="print")/g)].map(
        (m) => m[1] as string,
      );
      let total = (await weigh(url)).bytes;
      for (const href of css) total += (await weigh(href)).bytes;
      weights[url.startsWith('/ressources?') ? 'search page' : 'resource page'] = total;
      console.log(
        `weight ${url.padEnd(50)} ${(total / 1024).toFixed(1)} KB compressed with ${css.length} stylesheet(s) (budget 50 KB)`,
      );
    }
    await app.close();
    console.log(
      `BENCH_RESSOURCES_JSON ${JSON.stringify({ engine: kind, resources: COUNT, blocks: COUNT * 5, generation_ms: Math.round(generation), search: results, weights })}`,
    );
  } finally {
    await handle.close();
    if (serverUrl) await withServerConnection(serverUrl, (c) => c.query(`drop database if exists "${name}"`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

await main();

/**
 * A member contact's calendar feed and a meeting's minutes as PDF:
 * `node --import tsx bench/reseau-documents.ts` (PGlite in a temporary folder; `BENCH_EVENTS`
 * to change the count). It migrates and seeds the demo, adds events over two years (the
 * contact's structure invited to every other one, the contact registered to a tenth), and a
 * meeting with long minutes (40 paragraphs), 20 invited members and 10 decisions; then times,
 * one request at a time after a warm-up: `GET /reseau/calendrier/contacts/<token>.ics` over
 * HTTP (inject), the network's feed of every event (the same calendar writer), `minutesFile` (the tagged PDF) alone, and a bare route of the same app, and
 * prints p50 and p95 of each with their ratio to the bare route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { contactFeedToken, feedToken, networkSecret } from '../src/modules/reseau/links.ts';
import { minutesFile } from '../src/modules/reseau/minutes.ts';
import { systemActor } from '../src/platform/auth/policy.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { timed } from './stats.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 400);

const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-reseau-documents-'));
const handle = await openDatabase({ dataDir });
try {
  const { db, kind } = handle;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
  await migrateToLatest(db, modules);
  await seedDemoOnce({ db, config });
  const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
  app.get('/bench-bare', { config: { access: 'public' } }, async () => 'ok');
  await app.ready();

  const members = await db.selectFrom('reseau_membre').select('id').where('status', '=', 'membre').execute();
  const contact = await db
    .selectFrom('reseau_contact')
    .select(['id', 'email', 'membre_id', 'flux_version'])
    .where('membre_id', '=', members[0]!.id)
    .executeTakeFirstOrThrow();
  const start = Date.now() - 365 * 86_400_000;
  const events = await db
    .insertInto('reseau_evenement')
    .values(
      Array.from({ length: EVENTS }, (_, i) => {
        const at = new Date(start + i * (730 / EVENTS) * 86_400_000);
        return {
          kind: 'reunion_reseau' as const,
          titre: `Réunion ${i + 1} du banc d’essai`,
          description: 'Une réunion du réseau, avec un ordre du jour et des échanges.',
          starts_at: at,
          ends_at: new Date(at.getTime() + 2 * 3_600_000),
          lieu: 'Salle du conseil',
          audience: i % 10 === 0 ? ('public' as const) : ('invites' as const),
        };
      }),
    )
    .returning('id')
    .execute();
  await db
    .insertInto('reseau_invitation')
    .values(
      events.filter((_, i) => i % 2 === 1).map((e) => ({ evenement_id: e.id, membre_id: contact.membre_id })),
    )
    .execute();
  await db
    .insertInto('reseau_inscription')
    .values(
      events
        .filter((_, i) => i % 10 === 0)
        .map((e) => ({ evenement_id: e.id, nom: 'Contact', email: contact.email })),
    )
    .execute();
  // The meeting whose minutes are printed: every member invited, long minutes, ten decisions.
  const meeting = events[EVENTS - 1]!.id;
  await db
    .insertInto('reseau_invitation')
    .values(
      members.slice(1, 21).map((m, i) => ({ evenement_id: meeting, membre_id: m.id, present: i % 3 !== 0 })),
    )
    .execute();
  await db
    .insertInto('reseau_compte_rendu')
    .values({
      evenement_id: meeting,
      texte: Array.from(
        { length: 40 },
        (_, i) =>
          `Point ${i + 1} : le comité examine l’avancement des actions, les besoins des structures et les prochaines étapes du réseau sur le territoire.`,
      ).join('\n\n'),
    })
    .execute();
  await db
    .insertInto('reseau_decision')
    .values(
      Array.from({ length: 10 }, (_, i) => ({
        evenement_id: meeting,
        texte: `Décision ${i + 1} du comité.`,
      })),
    )
    .execute();

  const url = `/reseau/calendrier/contacts/${contactFeedToken(await networkSecret(db), contact.id, contact.flux_version)}.ics`;
  const feed = await app.inject({ method: 'GET', url });
  if (feed.statusCode !== 200) throw new Error(`the contact feed answered ${feed.statusCode}`);
  console.log(
    `Contact feed with ${(feed.body.match(/BEGIN:VEVENT/g) ?? []).length} events of ${EVENTS} (${kind}), ${(feed.body.length / 1024).toFixed(0)} KB`,
  );
  const actor = systemActor('bench');
  const pdf = await minutesFile(db, actor, meeting);
  console.log(`Minutes PDF of ${((pdf?.bytes.length ?? 0) / 1024).toFixed(0)} KB`);

  const bare = await timed('GET /bench-bare (same app)', () =>
    app.inject({ method: 'GET', url: '/bench-bare' }),
  );
  const http = await timed('GET /reseau/calendrier/contacts/<token>.ics', () =>
    app.inject({ method: 'GET', url }),
  );
  // The network's own feed (every event), through the same calendar writer: the reference.
  const networkUrl = `/reseau/calendrier/${feedToken(await networkSecret(db), 1)}.ics`;
  const network = await timed('GET /reseau/calendrier/<token>.ics (all)', () =>
    app.inject({ method: 'GET', url: networkUrl }),
  );
  const minutes = await timed('minutesFile (tagged PDF)', () => minutesFile(db, actor, meeting), {
    runs: 50,
  });
  console.log(
    `BENCH_RESEAU_DOCUMENTS_JSON ${JSON.stringify({
      events: EVENTS,
      engine: kind,
      bare_p50_ms: bare.p50,
      feed_p50_ms: http.p50,
      feed_p95_ms: http.p95,
      feed_to_bare: http.p50 / bare.p50,
      network_feed_p50_ms: network.p50,
      feed_to_network_feed: http.p50 / network.p50,
      minutes_pdf_p50_ms: minutes.p50,
      minutes_pdf_p95_ms: minutes.p95,
      minutes_to_bare: minutes.p50 / bare.p50,
    })}`,
  );
  await app.close();
} finally {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
}

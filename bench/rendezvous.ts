/**
 * The free-slot search of appointments at the scale of an OPSN: 50 places, each with a helper
 * of its own, an individual reason (30 min) and a workshop (90 min, 8 seats), weekday openings
 * and about 40 % of the next three months already booked, plus a week of absence for one helper
 * in five. Times `freeSlots` over the whole three-month window of each place's individual reason
 * (the search a booking page runs), one call at a time after a warm-up, and the same three
 * queries run bare, so that the share of the arithmetic shows.
 *
 *   node --import tsx bench/rendezvous.ts                      # embedded PGlite, throwaway
 *   DATABASE_URL=postgres://… node --import tsx bench/rendezvous.ts   # a throwaway database there
 *
 * Target (issue 23): p50 ≤ 30 ms per place.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { modules } from '../src/modules/index.ts';
import { savePlace, setPlaceStatus } from '../src/modules/lieux/index.ts';
import { freeSlots } from '../src/modules/rendezvous/index.ts';
import { addCollectivite } from '../src/modules/territoires/index.ts';
import { systemActor } from '../src/platform/auth/policy.ts';
import { createUser } from '../src/platform/auth/users.ts';
import { openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { addDays, parisToday } from '../src/platform/paris-time.ts';
import { prng } from '../src/platform/random.ts';
import { median, percentile } from './stats.ts';

const PLACES = Number(process.env.BENCH_RDV_PLACES ?? 50);
const ROUNDS = 10;
const serverUrl = process.env.DATABASE_URL;
const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-rdv-'));
let dbName = '';
let url = '';
if (serverUrl) {
  dbName = `relais_rdv_${randomBytes(6).toString('hex')}`;
  await withServerConnection(serverUrl, (c) => c.query(`create database "${dbName}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  url = u.toString();
}
const handle = await openDatabase(url ? { databaseUrl: url } : { dataDir });
const db = handle.db;
const actor = systemActor('bench');
const random = prng(23);

try {
  let started = performance.now();
  await migrateToLatest(db, modules);
  const added = await addCollectivite(db, actor, '69266');
  if (!added.ok) throw new Error('bench: Villeurbanne could not be added');
  const collectiviteId = added.collectivite.id;
  const today = parisToday();
  const reasons: {
    id: string;
    lieu_id: string;
    duree_min: number;
    collectif: boolean;
    capacite: number | null;
    delai_min_minutes: number;
    delai_max_jours: number;
  }[] = [];
  for (let i = 0; i < PLACES; i++) {
    const { id: lieuId } = await savePlace(db, actor, {
      collectiviteId,
      place: {
        id: '',
        pivot: '00000000000000',
        nom: `Espace numérique ${i + 1}`,
        commune: 'Villeurbanne',
        code_postal: '69100',
        code_insee: '69266',
        adresse: `${i + 1} rue de la République`,
        complement_adresse: null,
        latitude: 45.7667,
        longitude: 4.8799,
        typologie: [],
        telephone: [],
        courriels: [],
        site_web: [],
        horaires: null,
        presentation_resume: null,
        presentation_detail: null,
        source: null,
        itinerance: [],
        structure_parente: null,
        date_maj: today,
        services: ['Aide aux démarches administratives'],
        publics_specifiquement_adresses: [],
        prise_en_charge_specifique: [],
        frais_a_charge: [],
        dispositif_programmes_nationaux: [],
        formations_labels: [],
        autres_formations_labels: null,
        modalites_acces: [],
        modalites_accompagnement: [],
        fiche_acces_libre: null,
        prise_rdv: null,
      },
    });
    await setPlaceStatus(db, actor, lieuId, 'publie');
    const userId = await createUser(db, {
      email: `mediateur${i}@bench.example`,
      name: `Médiateur ${i}`,
      memberships: [{ role: 'mediateur', collectiviteId }],
    });
    const { numero } = await db
      .insertInto('rdv_agenda')
      .values({ user_id: userId })
      .returning('numero')
      .executeTakeFirstOrThrow();
    const common = {
      collectivite_id: collectiviteId,
      lieu_id: lieuId,
      location_type: 'sur_place' as const,
      delai_min_minutes: 30,
      delai_max_jours: 92,
      instructions: null,
      reservable_par: 'tout_le_monde' as const,
      modifiable: true,
      created_by: null,
    };
    const individual = await db
      .insertInto('rdv_motif')
      .values({
        ...common,
        nom: 'Aide aux démarches',
        duree_min: 30,
        collectif: false,
        capacite: null,
        thematiques: ['email'],
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const workshop = await db
      .insertInto('rdv_motif')
      .values({
        ...common,
        nom: 'Atelier',
        duree_min: 90,
        collectif: true,
        capacite: 8,
        thematiques: ['email'],
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    reasons.push(individual);
    const opening = (rrule: string, debut: number, fin: number, motif: string) => ({
      collectivite_id: collectiviteId,
      lieu_id: lieuId,
      mediateur_id: userId,
      motif_ids: [motif],
      rrule,
      debut_min: debut,
      fin_min: fin,
      premier_jour: today,
      dernier_jour: null,
      created_by: null,
    });
    await db
      .insertInto('rdv_plage')
      .values([
        opening('FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR', 9 * 60, 12 * 60, individual.id),
        opening('FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,TH,FR', 14 * 60, 17 * 60, individual.id),
        opening('FREQ=WEEKLY;INTERVAL=1;BYDAY=WE', 14 * 60, 15 * 60 + 30, workshop.id),
      ])
      .execute();
    if (i % 5 === 0)
      await db
        .insertInto('rdv_absence')
        .values({
          collectivite_id: collectiviteId,
          mediateur_id: userId,
          titre: 'Congés',
          debut: new Date(`${addDays(today, 20)}T00:00:00Z`),
          fin: new Date(`${addDays(today, 27)}T00:00:00Z`),
        })
        .execute();
    // About 40 % of the individual slots of the window booked, one row each.
    const slots = await freeSlots(db, individual, today, addDays(today, 92));
    const booked = slots.filter(() => random() < 0.4);
    for (let k = 0; k < booked.length; k += 500)
      await db
        .insertInto('rdv')
        .values(
          booked.slice(k, k + 500).map((s) => ({
            collectivite_id: collectiviteId,
            lieu_id: lieuId,
            motif_id: individual.id,
            mediateur_id: userId,
            agenda_numero: numero,
            starts_at: s.start,
            ends_at: s.end,
            capacite: 1,
            places_prises: 1,
          })),
        )
        .execute();
  }
  await sql`analyze`.execute(db);
  const rdvCount = await db
    .selectFrom('rdv')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(
    `${handle.kind}: ${PLACES} places, ${rdvCount.n} appointments booked, generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const to = addDays(today, 92);
  for (const r of reasons.slice(0, 5)) await freeSlots(db, r, today, to); // warm-up
  const times: number[] = [];
  let offered = 0;
  for (let round = 0; round < ROUNDS; round++)
    for (const r of reasons) {
      started = performance.now();
      const slots = await freeSlots(db, r, today, to);
      times.push(performance.now() - started);
      if (round === 0) offered += slots.length;
    }
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const r of reasons) {
      started = performance.now();
      const openings = await db
        .selectFrom('rdv_plage')
        .select(['id', 'mediateur_id'])
        .where('lieu_id', '=', r.lieu_id)
        .where((eb) => eb(eb.val(r.id), '=', eb.fn.any('motif_ids')))
        .execute();
      const helpers = [...new Set(openings.map((o) => o.mediateur_id))];
      await Promise.all([
        db
          .selectFrom('rdv')
          .select(['id', 'starts_at', 'ends_at'])
          .where('mediateur_id', 'in', helpers)
          .where('libere_at', 'is', null)
          .where('starts_at', '<', new Date(`${to}T23:00:00Z`))
          .where('ends_at', '>', new Date())
          .execute(),
        db.selectFrom('rdv_absence').select(['debut', 'fin']).where('mediateur_id', 'in', helpers).execute(),
      ]);
      bare.push(performance.now() - started);
    }
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  console.log(
    `free slots of one place over 3 months (${offered / PLACES} offered per place on average), ${times.length} searches:`,
  );
  console.log(
    `  p50 ${ms(median(times))}  p95 ${ms(percentile(times, 95))}  max ${ms(Math.max(...times))}  (target p50 ≤ 30 ms)`,
  );
  console.log(`  its three queries run bare: p50 ${ms(median(bare))}  p95 ${ms(percentile(bare, 95))}`);
  console.log(
    `BENCH_RENDEZVOUS_JSON ${JSON.stringify({ kind: handle.kind, places: PLACES, p50: median(times), p95: percentile(times, 95), bareP50: median(bare) })}`,
  );
} finally {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl && dbName) await withServerConnection(serverUrl, (c) => c.query(`drop database "${dbName}"`));
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { htmlProblems } from '../../../test/helpers/html.ts';
import type { Db } from '../../platform/db/database.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';

const PURGE = 'activites.purge-beneficiaires';
const admin = DEMO_ACCOUNTS[0];
const coordinator = DEMO_ACCOUNTS[1];

/** A person helped whose record is past the retention period (created in 2020, never accompanied). */
async function expiredPerson(db: Db, collectiviteId: number): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into beneficiaire (collectivite_id, prenom, nom, created_at, updated_at)
    values (${collectiviteId}, 'Odile', 'Ancienne', '2020-01-15T10:00:00Z', '2020-01-15T10:00:00Z')
    returning id`.execute(db);
  return rows[0]!.id;
}

const exists = async (db: Db, id: string) =>
  Boolean(await db.selectFrom('beneficiaire').select('id').where('id', '=', id).executeTakeFirst());

describe('scheduled jobs page', () => {
  let t: TestApp;
  let adminClient: Client;
  before(async () => {
    t = await createTestApp({ demo: true });
    adminClient = new Client(t.app);
    await adminClient.signIn(admin.email);
  });
  after(() => t.close());

  test('administrators see every job, when it runs and how it last went', async () => {
    const page = await adminClient.get('/admin/taches');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Tâches planifiées');
    assert.match(
      page.body,
      /Effacer les fiches des personnes accompagnées 2 ans après le dernier accompagnement/,
    );
    assert.match(page.body, new RegExp(`<code>${PURGE.replace('.', '\\.')}</code>`));
    assert.match(page.body, /tous les jours à 03:30/);
    assert.match(page.body, /<dt>Dernière exécution<\/dt>\s*<dd>jamais<\/dd>/);
    assert.match(page.body, new RegExp(`name="tache" value="${PURGE}"`));
  });

  test('a coordinator may neither see the page nor run a job', async () => {
    const c = new Client(t.app);
    await c.signIn(coordinator.email);
    assert.equal((await c.get('/admin/taches')).statusCode, 403);
    await c.get('/espace');
    const posted = await c.post('/admin/taches/lancer', { tache: PURGE });
    assert.equal(posted.statusCode, 403);
    assert.match(posted.body, /Seuls les administrateurs de l’OPSN gèrent les tâches/);
    const runs = await t.db.db.selectFrom('job_run').select('id').where('name', '=', PURGE).execute();
    assert.deepEqual(runs, []);
  });

  test('“Lancer maintenant” runs the purge, shows its outcome, and is journaled', async () => {
    const collectivite = await t.db.db.selectFrom('collectivite').select('id').executeTakeFirstOrThrow();
    const expired = await expiredPerson(t.db.db, collectivite.id);

    await adminClient.get('/admin/taches');
    const posted = await adminClient.post('/admin/taches/lancer', { tache: PURGE });
    assert.equal(posted.statusCode, 303);
    const runId = Number(/^\/admin\/taches\?execution=(\d+)$/.exec(posted.headers.location ?? '')?.[1]);
    assert.ok(runId > 0, posted.headers.location);
    assert.equal(await exists(t.db.db, expired), false);

    const run = await t.db.db
      .selectFrom('job_run')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.name, PURGE);
    assert.equal(run.started_by, admin.email);
    assert.equal(run.ok, true);
    const purged = (run.summary as Record<string, number>)['fiches effacées'];
    assert.ok(purged !== undefined && purged >= 1);

    const shown = await adminClient.get(posted.headers.location!);
    assert.match(shown.body, /notice--success/);
    assert.match(shown.body, new RegExp(`exécution réussie — fiches effacées : ${purged}`));
    assert.match(shown.body, new RegExp(`par ${admin.email.replace(/\./g, '\\.')} : réussie`));

    assert.deepEqual(await htmlProblems(shown.body), []);

    const journaled = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'job.run')
      .execute();
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]?.actor_label, admin.email);
    assert.equal(journaled[0]?.subject_type, 'tache');
    assert.equal(journaled[0]?.subject_id, PURGE);
    assert.deepEqual(journaled[0]?.details, { resultat: 'succeeded', execution: runId });
    const journalPage = await adminClient.get('/admin/journal?action=job.run');
    assert.match(journalPage.body, /Tâche planifiée lancée à la main/);
  });

  test('a job already running is not started again; an unknown job is refused', async () => {
    await sql`insert into job_run (name, started_by) values (${PURGE}, 'planificateur')`.execute(t.db.db);
    try {
      await adminClient.get('/admin/taches');
      const busy = await adminClient.post('/admin/taches/lancer', { tache: PURGE });
      assert.equal(busy.statusCode, 409);
      assert.match(busy.body, /Cette tâche est déjà en cours depuis le/);
      assert.match(busy.body, /: en cours/);
    } finally {
      await sql`update job_run set finished_at = now(), ok = false, error = 'essai'
        where name = ${PURGE} and finished_at is null`.execute(t.db.db);
    }
    await adminClient.get('/admin/taches');
    const unknown = await adminClient.post('/admin/taches/lancer', { tache: 'nulle.part' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /Cette tâche n’existe pas/);
  });
});

describe('jobs commands', () => {
  let cli: CliDatabase;
  before(async () => {
    cli = await openCliDatabase();
    const added = await cli.run(['collectivite', 'add', '42218']);
    assert.equal(added.code, 0, added.stderr);
  });
  after(() => cli.close());

  const withDatabase = <T>(work: (db: Db) => Promise<T>) => work(cli.db);

  test('jobs list names each job, its schedule and that it never ran', async () => {
    const res = await cli.run(['jobs', 'list']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^${PURGE.replace('.', '\\.')}$`, 'm'));
    assert.match(
      res.stdout,
      /Planification : tous les jours à 03:30 \(30 3 \* \* \*\), prochaine le \d\d\/\d\d\/\d{4} 03:30/,
    );
    assert.match(res.stdout, /Dernière exécution : jamais/);
  });

  test('jobs run runs the purge now, prints its summary and records the run', async () => {
    const expired = await withDatabase(async (db) => {
      const c = await db.selectFrom('collectivite').select('id').executeTakeFirstOrThrow();
      return expiredPerson(db, c.id);
    });
    const res = await cli.run(['jobs', 'run', PURGE]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), `Tâche ${PURGE} terminée : fiches effacées : 1.`);
    await withDatabase(async (db) => {
      assert.equal(await exists(db, expired), false);
      const runs = await db.selectFrom('job_run').selectAll().where('name', '=', PURGE).execute();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.started_by, 'cli');
      assert.equal(runs[0]?.ok, true);
      assert.deepEqual(runs[0]?.summary, { 'fiches effacées': 1 });
      const purge = await db
        .selectFrom('audit_event')
        .select(['actor_label', 'details'])
        .where('action', '=', 'beneficiaire.purge')
        .executeTakeFirst();
      assert.equal(purge?.actor_label, 'tâche planifiée');
      assert.equal((purge?.details as { fiches?: number } | undefined)?.fiches, 1);
    });
    const list = await cli.run(['jobs', 'list']);
    assert.match(list.stdout, /Dernière exécution : le .+ par cli, réussie — fiches effacées : 1/);
  });

  test('jobs run taches.analyse gives the planner the row counts of the tables', async () => {
    // A table nobody analysed has no row count for the planner (-1): it plans as if empty.
    const rowCount = async () => {
      const { rows } = await sql<{ reltuples: number }>`
        select reltuples from pg_class where oid = 'public.collectivite'::regclass`.execute(cli.db);
      return Number(rows[0]?.reltuples);
    };
    await sql`analyze collectivite`.execute(cli.db);
    assert.equal(await rowCount(), 1);
    await cli.run(['collectivite', 'add', '69266']);
    const res = await cli.run(['jobs', 'run', 'taches.analyse']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Tâche taches\.analyse terminée : tables analysées : \d+\.$/m);
    assert.equal(await rowCount(), 2);
  });

  test('jobs run refuses an unknown job in French, with exit code 1', async () => {
    const res = await cli.run(['jobs', 'run', 'purge-inconnue']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Erreur : Aucune tâche ne s’appelle « purge-inconnue »/);
    assert.match(res.stderr, new RegExp(PURGE.replace('.', '\\.')));
  });
});

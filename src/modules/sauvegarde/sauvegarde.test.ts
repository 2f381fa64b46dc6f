import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import pg from 'pg';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { runRelais } from '../../../test/helpers/cli.ts';
import { serverUrl } from '../../../test/helpers/database.ts';
import { startFakeS3 } from '../../../test/helpers/fake-s3.ts';
import { backupName } from '../../platform/backup/destination.ts';
import { openBackup } from '../../platform/backup/load.ts';
import { loadConfig } from '../../platform/config.ts';
import { openDatabase } from '../../platform/db/database.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { RECOVERY_FILE, recoveryCommands } from './drill.ts';

const admin = DEMO_ACCOUNTS[0];
const DAY = 86_400_000;
// A key pair: a passphrase costs seconds of scrypt at each use, by design.
const IDENTITY = await generateIdentity();
const RECIPIENT = await identityToRecipient(IDENTITY);

/** Throwaway databases the drill left on the server (it must drop its own). */
async function drillDatabases(): Promise<string[]> {
  if (!serverUrl) return [];
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where datname like 'relais_exercice_%'`,
    );
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('scheduled backups and the restore drill', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'relais-sauvegarde-test-'));
  const destination = path.join(work, 'destination');
  // The instance's settings: the app reads them as configuration, the commands as environment.
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SMS_CALLBACK_SECRET: 'secret-des-rappels-sms-des-tests',
    RELAIS_BACKUP_RECIPIENT: RECIPIENT,
    RELAIS_BACKUP_IDENTITY: IDENTITY,
    RELAIS_BACKUP_DESTINATION: destination,
    RELAIS_BACKUP_RETENTION: '3d',
    ...(serverUrl ? { RELAIS_BACKUP_DRILL_DATABASE_URL: serverUrl } : {}),
  };
  let t: TestApp;
  let adminClient: Client;
  /** `relais <args>` on the app's database, in the test process. */
  let relais: (args: string[], more?: Record<string, string>) => ReturnType<typeof runRelais>;
  const metrics = async () => (await adminClient.get('/metrics')).body;
  const outbox = () =>
    t.db.db.selectFrom('mail_outbox').select(['recipient', 'subject', 'body']).orderBy('id').execute();

  before(async () => {
    mkdirSync(destination);
    t = await createTestApp({ demo: true, config: loadConfig(env) });
    const { pglite } = t.db;
    relais = (args, more = {}) =>
      runRelais(
        args,
        { ...env, ...t.db.env, ...more },
        pglite ? { openDatabase: () => openDatabase({ pglite }) } : {},
      );
    adminClient = new Client(t.app);
    await adminClient.signIn(admin.email);
  });
  after(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the README’s recovery procedure is the drill’s steps', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Recovery procedure'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.startsWith('npm run relais -- '));
    assert.deepEqual(commands, recoveryCommands());
    assert.ok(commands.join('\n').includes(RECOVERY_FILE));
  });

  test('the scheduled backup writes an encrypted backup to the directory, then applies the retention rule', async () => {
    // Older backups (their content does not matter here), and a file that is not one.
    const now = Date.now();
    const older = [1, 2, 3, 10].map((days) => backupName(new Date(now - days * DAY)));
    for (const name of older) writeFileSync(path.join(destination, name), 'ancienne');
    writeFileSync(path.join(destination, 'LISEZ-MOI.txt'), 'à garder');

    const run = await relais(['jobs', 'run', 'sauvegarde.ecriture']);
    assert.equal(run.code, 0, run.stderr);
    const written = readdirSync(destination).filter((n) => !older.includes(n) && n.endsWith('.age'));
    assert.equal(written.length, 1);
    const [name] = written;
    assert.match(
      run.stdout,
      new RegExp(
        `Tâche sauvegarde\\.ecriture terminée : ${name!.replaceAll('.', '\\.')} écrite dans le dossier .*destination : \\d+ tables, [\\d\\u202f ]+ lignes, .+ chiffrés, en [\\d,]+ s\\. Conservation \\(3 quotidiennes\\) : 3 sauvegardes gardées, 2 supprimées\\.\\n`,
      ),
    );
    // The newest three days kept; the others removed; the other file left alone.
    assert.deepEqual(readdirSync(destination).sort(), [older[0], older[1], name, 'LISEZ-MOI.txt'].sort());
    // A real backup of this database, encrypted to the recipient.
    const opened = await openBackup(path.join(destination, name!), { identity: IDENTITY });
    await opened.close();
    const users = opened.header.tables.find((table) => table.name === 'app_user');
    assert.equal(users?.rows, (await t.db.db.selectFrom('app_user').select('id').execute()).length);

    const listed = await relais(['backup', '--list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      /^3 sauvegardes dans le dossier .*destination, la plus récente d’abord :\n {2}relais-/,
    );
    assert.deepEqual(
      [...listed.stdout.matchAll(/relais-\S+\.age/g)].map((m) => m[0]),
      [name, older[0], older[1]],
    );
    // One backup copied back from the destination, its header read; never over a file.
    const copy = path.join(work, 'copie.age');
    const fetched = await relais(['backup', '--fetch', 'derniere', '--out', copy]);
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.match(
      fetched.stdout,
      new RegExp(
        `^Sauvegarde ${name!.replaceAll('.', '\\.')} copiée depuis le dossier .*destination vers .*copie\\.age : créée le .+, \\d+ tables, [\\d\\u202f ]+ lignes\\.\\n$`,
      ),
    );
    assert.deepEqual(readFileSync(copy), readFileSync(path.join(destination, name!)));
    for (const [args, message] of [
      [['--fetch', 'derniere', '--out', copy], /existe déjà/],
      [['--fetch', 'LISEZ-MOI.txt', '--out', path.join(work, 'autre')], /n’est pas un nom de sauvegarde/],
      [['--fetch', 'derniere'], /--fetch demande --out FICHIER/],
    ] as const) {
      const refused = await relais(['backup', ...args]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, message);
    }
    assert.match(await metrics(), /relais_backup_last_run_success\{kind="backup"\} 1\n/);
    assert.match(
      await metrics(),
      new RegExp(
        `relais_backup_last_success_size_bytes ${readFileSync(path.join(destination, name!)).length}\\n`,
      ),
    );
    const journaled = await t.db.db
      .selectFrom('audit_event')
      .select('subject_id')
      .where('action', '=', 'backup.create')
      .execute();
    assert.deepEqual(journaled, [{ subject_id: name }]);
  });

  test('the drill, run from /admin/taches, restores the latest backup into a throwaway database and verifies it', async () => {
    await adminClient.get('/admin/taches');
    const posted = await adminClient.post('/admin/taches/lancer', { tache: 'sauvegarde.exercice' });
    assert.equal(posted.statusCode, 303, posted.body);
    const page = (await adminClient.get(posted.headers.location!)).body;
    assert.match(page, /notice--success/);
    const latest = readdirSync(destination)
      .filter((n) => n.startsWith('relais-'))
      .sort()
      .at(-1)!;
    const [, summary] = /exécution réussie — (Exercice réussi[^<]+)\.<\/p>/.exec(page) ?? [];
    assert.ok(summary, page);
    assert.match(
      summary,
      /^Exercice réussi en [\d,]+ s dans (une base PGlite jetable|la base PostgreSQL jetable relais_exercice_\w+) : /,
    );
    assert.match(
      summary,
      new RegExp(
        `Sauvegarde ${latest.replaceAll('.', '\\.')} copiée depuis le dossier .*destination vers .*${RECOVERY_FILE}`,
      ),
    );
    assert.match(summary, /Sauvegarde restaurée : \d+ tables, [\d\u202f ]+ lignes depuis/);
    assert.match(summary, /Journal intact : \d+ entrée\(s\) vérifiée\(s\)/);
    assert.match(await metrics(), /relais_backup_last_run_success\{kind="drill"\} 1\n/);
    const run = await t.db.db
      .selectFrom('backup_run')
      .selectAll()
      .where('kind', '=', 'drill')
      .executeTakeFirstOrThrow();
    assert.equal(run.file, latest);
    assert.ok(Number(run.rows) > 0);
    assert.deepEqual(await drillDatabases(), []);
  });

  test('a drill whose latest backup is unreadable fails, says why on /admin/taches and in /metrics, and mails the administrators', async () => {
    // The newest file at the destination is no backup any more (ransomware encrypted it).
    const good = readdirSync(destination)
      .filter((n) => n.startsWith('relais-'))
      .sort()
      .at(-1)!;
    const damaged = backupName(new Date(Date.now() + 60_000));
    writeFileSync(
      path.join(destination, damaged),
      randomBytes(readFileSync(path.join(destination, good)).length),
    );
    const before = await outbox();

    const run = await relais(['jobs', 'run', 'sauvegarde.exercice']);
    assert.equal(run.code, 1);
    // The drill stops at its first step: the fetched file's header cannot be read.
    const reason = new RegExp(
      `Étape 1 sur 3 en échec \\(« relais backup --fetch derniere --out relais-a-restaurer\\.age », dans [^)]+\\) : Erreur : ${damaged.replaceAll('.', '\\.')} est illisible : .*relais-a-restaurer\\.age n’est pas une sauvegarde chiffrée avec age`,
    );
    assert.match(run.stderr, /La tâche sauvegarde\.exercice a échoué : /);
    assert.match(run.stderr, reason);

    const page = (await adminClient.get('/admin/taches')).body;
    assert.match(page, /<td>échouée<\/td>\s*<td>Étape 1 sur 3 en échec/);
    const scraped = await metrics();
    assert.match(scraped, /relais_backup_last_run_success\{kind="drill"\} 0\n/);
    assert.match(scraped, /relais_backup_last_success_timestamp_seconds\{kind="drill"\} \d+/);

    const mails = (await outbox()).slice(before.length);
    // The demo's one OPSN administrator.
    assert.deepEqual(
      mails.map((m) => m.recipient),
      [admin.email],
    );
    for (const mail of mails) {
      assert.equal(mail.subject, 'Relais : l’exercice de restauration des sauvegardes a échoué');
      assert.match(mail.body ?? '', reason);
    }
    assert.deepEqual(await drillDatabases(), []);
    rmSync(path.join(destination, damaged));
  });

  test('a backup that cannot reach its destination fails, keeps what is there, and mails the administrators', async () => {
    const kept = readdirSync(destination).sort();
    const before = await outbox();
    const missing = path.join(work, 'disque-absent');
    const run = await relais(['jobs', 'run', 'sauvegarde.ecriture'], { RELAIS_BACKUP_DESTINATION: missing });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Le dossier de destination des sauvegardes .*disque-absent n’existe pas/);
    assert.deepEqual(readdirSync(destination).sort(), kept);
    const mails = (await outbox()).slice(before.length);
    assert.ok(mails.length >= 1);
    assert.ok(mails.every((m) => m.subject === 'Relais : la sauvegarde planifiée a échoué'));
    assert.match(await metrics(), /relais_backup_last_run_success\{kind="backup"\} 0\n/);
  });

  test('the scheduled backup goes to an S3-compatible bucket as well', async () => {
    const s3 = await startFakeS3({ bucket: 'sauvegardes-opsn', accessKey: 'CLE-DES-TESTS' });
    try {
      const settings = {
        RELAIS_BACKUP_DESTINATION: 's3://sauvegardes-opsn/relais',
        RELAIS_BACKUP_S3_ENDPOINT: s3.endpoint,
        RELAIS_BACKUP_S3_REGION: 'fr-par',
        RELAIS_BACKUP_S3_ACCESS_KEY: 'CLE-DES-TESTS',
        RELAIS_BACKUP_S3_SECRET_KEY: 'secret-des-tests',
      };
      const run = await relais(['jobs', 'run', 'sauvegarde.ecriture'], settings);
      assert.equal(run.code, 0, run.stderr);
      const keys = [...s3.objects.keys()];
      assert.equal(keys.length, 1);
      assert.match(keys[0]!, /^relais\/relais-[\dT-]+Z\.age$/);
      assert.match(run.stdout, /écrite dans s3:\/\/sauvegardes-opsn\/relais\/ : /);
      const listed = await relais(['backup', '--list'], settings);
      assert.match(
        listed.stdout,
        /^1 sauvegarde dans s3:\/\/sauvegardes-opsn\/relais\/, la plus récente d’abord :\n {2}relais-/,
      );
    } finally {
      await s3.close();
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { openDatabase, PGLITE_EXTENSIONS } from '../../src/platform/db/database.ts';
import { OLDER_SETTING, olderMigrations, writeOlderBackup } from '../fixtures/older-backup.ts';
import { givenActivity, givenHelper } from '../helpers/builders.ts';
import { type CliDatabase, type CliResult, openCliDatabase, runRelais } from '../helpers/cli.ts';
import { serverUrl, tableSnapshot } from '../helpers/database.ts';

const PASSPHRASE = 'phrase de passe des tests de la ligne de commande';
// A key pair for most tests: a passphrase costs seconds of scrypt at each use, by design.
const IDENTITY = await generateIdentity();
const KEYS = {
  RELAIS_BACKUP_RECIPIENT: await identityToRecipient(IDENTITY),
  RELAIS_BACKUP_IDENTITY: IDENTITY,
};
const count = new Intl.NumberFormat('fr-FR');
/** age's scrypt work factor (log2 N) for passphrases: what `relais backup` must use. */
const PRODUCTION_WORK_FACTOR = 18;

/**
 * A new embedded database nobody has migrated yet, that commands run on in the test process
 * (opening a PGlite directory anew for each command would cost a second or more each time).
 */
async function newPglite(): Promise<{
  pglite: PGlite;
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  snapshot(): Promise<Record<string, string[]>>;
}> {
  const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  const open = () => openDatabase({ pglite });
  return {
    pglite,
    run: (args, env = {}) => runRelais(args, env, { openDatabase: open }),
    async snapshot() {
      const handle = await open();
      try {
        return await tableSnapshot(handle.db);
      } finally {
        await handle.close();
      }
    },
  };
}

/** The plaintext of a backup encrypted to KEYS, or with `passphrase`. */
async function decrypt(file: string, passphrase?: string): Promise<string> {
  const decrypter = new Decrypter();
  if (passphrase) decrypter.addPassphrase(passphrase);
  else decrypter.addIdentity(IDENTITY);
  return gunzipSync(await decrypter.decrypt(readFileSync(file))).toString('utf8');
}

/**
 * Writes `plaintext` as a backup file: to KEYS, or with a passphrase at a low scrypt work
 * factor (age reads the factor from the file, so trying a wrong passphrase on it is fast).
 */
async function encrypt(out: string, plaintext: string, passphrase?: string): Promise<void> {
  const encrypter = new Encrypter();
  if (passphrase) {
    encrypter.setPassphrase(passphrase);
    encrypter.setScryptWorkFactor(10);
  } else encrypter.addRecipient(KEYS.RELAIS_BACKUP_RECIPIENT);
  writeFileSync(out, await encrypter.encrypt(gzipSync(plaintext)));
}

describe('backup and restore commands', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-cli-backup-'));
  let fileCount = 0;
  const newFile = () => path.join(dir, `sauvegarde-${++fileCount}.age`);

  // One source (the test database: PGlite, or the server on the PostgreSQL pass), backed up
  // once; one target, a new PGlite database that the first restore fills and later tests keep
  // using (a failed restore leaves it as it was). A PGlite target on the PostgreSQL pass too:
  // there, restoring the source's backup into it and backing it up to a server go both ways
  // between the engines.
  let source: CliDatabase;
  let sourceSnapshot: Record<string, string[]>;
  let backup: string;
  let backupOutput: string;
  let target: Awaited<ReturnType<typeof newPglite>>;
  let targetSnapshot: Record<string, string[]>;
  before(async () => {
    [source, target] = await Promise.all([openCliDatabase(), newPglite()]);
    const helper = await givenHelper(source.db, { places: 1 });
    await givenActivity(source.db, helper);
    sourceSnapshot = await tableSnapshot(source.db);
    backup = newFile();
    const made = await source.run(['backup', '--out', backup], KEYS);
    assert.equal(made.code, 0, made.stderr);
    backupOutput = made.stdout;
  });
  after(async () => {
    await Promise.all([source.close(), target.pglite.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('--help explains backup and restore in French', async () => {
    const help = await runRelais(['--help']);
    assert.match(help.stdout, /\n {2}backup\b.*Sauvegarder toute la base/);
    assert.match(help.stdout, /\n {2}restore\b/);
    const backupHelp = await runRelais(['backup', '--help']);
    assert.equal(backupHelp.code, 0);
    assert.match(backupHelp.stdout, /--verify <fichier>\s+vérifier une sauvegarde/);
    assert.match(backupHelp.stdout, /RELAIS_BACKUP_RECIPIENT\s+clé publique age1/);
    const restoreHelp = await runRelais(['restore', '--help']);
    assert.match(restoreHelp.stdout, /--force\s+vider d’abord la base cible/);
  });

  test('backup prints each table’s rows and what it wrote', () => {
    assert.match(backupOutput, /collectivite\s+1\n/);
    assert.match(
      backupOutput,
      new RegExp(`platform_setting\\s+${sourceSnapshot.platform_setting!.length}\\n`),
    );
    assert.match(
      backupOutput,
      /Sauvegarde écrite : .+ — \d+ tables, [\d\u202f ]+ lignes, [\d\u202f ,]+ (octets|Ko) chiffrés, en [\d,]+ s\./,
    );
  });

  test('a backup encrypted with a passphrase verifies with it only, not with another or a key', async () => {
    const file = newFile();
    const made = await source.run(['backup', '--out', file], { RELAIS_BACKUP_PASSPHRASE: PASSPHRASE });
    assert.equal(made.code, 0, made.stderr);
    // The passphrase goes through scrypt at age's production cost, which the file records.
    const stanza = /^-> scrypt \S+ (\d+)$/m.exec(readFileSync(file, 'latin1').split('\n---')[0]!);
    assert.equal(Number(stanza?.[1]), PRODUCTION_WORK_FACTOR);

    // The same plaintext with the same passphrase at a low work factor verifies with it (age
    // reads the factor from the file; a second production-cost scrypt would only cost seconds),
    // and a wrong passphrase is refused as it is at any cost.
    const cheap = newFile();
    await encrypt(cheap, await decrypt(file, PASSPHRASE), PASSPHRASE);
    const verified = await runRelais(['backup', '--verify', cheap], { RELAIS_BACKUP_PASSPHRASE: PASSPHRASE });
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, new RegExp(`\\(source ${serverUrl ? 'postgres' : 'pglite'}, `));
    const tables = Object.keys(sourceSnapshot);
    for (const table of tables) {
      const rows = count.format(sourceSnapshot[table]!.length);
      assert.match(verified.stdout, new RegExp(`\\n {2}${table}\\s+${rows}\\s+${rows}\\s+identique`));
    }
    assert.match(verified.stdout, new RegExp(`Sauvegarde vérifiée : ${tables.length} tables`));
    for (const [withFile, keys] of [
      [cheap, { RELAIS_BACKUP_PASSPHRASE: 'ce n’est pas la bonne phrase' }],
      [file, KEYS],
    ] as const) {
      const refused = await runRelais(['backup', '--verify', withFile], keys);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /phrase de passe ou clé incorrecte/);
    }
  });

  test('an older backup restores into a new, never migrated PGlite database, then the later migrations run', async () => {
    const older = newFile();
    await writeOlderBackup(older, KEYS.RELAIS_BACKUP_RECIPIENT);
    const restored = await target.run(['restore', older], KEYS);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(
      restored.stdout,
      /Sauvegarde restaurée : \d+ tables, 3 lignes depuis .+ \(.+, créée le .+ sur pglite\), en [\d,]+ s\./,
    );
    assert.match(
      restored.stdout,
      new RegExp(`Migrations appliquées ensuite : ${olderMigrations().later.join(', ')}\\.`),
    );
    targetSnapshot = await target.snapshot();
    assert.ok(targetSnapshot.platform_setting!.includes(`(${OLDER_SETTING.key},${OLDER_SETTING.value})`));
    // Every migration of this code has run: `relais migrate` would find nothing to do.
    const { backup: applied, later } = olderMigrations();
    assert.deepEqual(
      targetSnapshot.relais_migration!.map((row) => row.slice(1).split(',')[0]),
      [...applied, ...later],
    );
  });

  test('restore refuses a database that holds data, a wrong key or a damaged file, and changes nothing; --force replaces the data', async () => {
    // The target holds the older backup's rows.
    const refused = await target.run(['restore', backup], KEYS);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Erreur : La base cible contient déjà des données \(tables .*platform_setting/,
    );
    assert.match(refused.stderr, /ajoutez --force/);

    const bytes = readFileSync(backup);
    const truncated = newFile();
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const random = newFile();
    writeFileSync(random, randomBytes(5000));
    // [file, keys, message, restore it too]: restore opens the target first, which takes a
    // while; the platform tests restore each of these files.
    const cases: [string, Record<string, string>, RegExp, boolean][] = [
      [
        backup,
        { RELAIS_BACKUP_IDENTITY: await generateIdentity() },
        /phrase de passe ou clé incorrecte/,
        true,
      ],
      [truncated, KEYS, /Sauvegarde corrompue ou tronquée/, true],
      [random, KEYS, /n’est pas une sauvegarde chiffrée avec age/, false],
      [path.join(dir, 'absente.age'), KEYS, /Fichier introuvable/, false],
    ];
    for (const [file, keys, message, restore] of cases) {
      const commands = [['backup', '--verify', file]];
      // --force: even a target that restore would empty first stays as it was.
      if (restore) commands.push(['restore', file, '--force']);
      for (const command of commands) {
        const res = await target.run(command, keys);
        assert.equal(res.code, 1, command.join(' '));
        assert.match(res.stderr, /^Erreur : /, command.join(' '));
        assert.match(res.stderr, message, command.join(' '));
      }
    }
    assert.deepEqual(await target.snapshot(), targetSnapshot);

    const forced = await target.run(['restore', backup, '--force'], KEYS);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Tables vidées d’abord \(--force\) : .*platform_setting/);
    assert.match(
      forced.stdout,
      /Sauvegarde restaurée : \d+ tables, [\d\u202f ]+ lignes depuis .+ \(.+, créée le .+ sur (pglite|postgres)\), en [\d,]+ s\./,
    );
    assert.deepEqual(await target.snapshot(), sourceSnapshot);
  });

  test('verify exits with 1 and names the table whose rows differ from the header', async () => {
    // The older backup, as it is small, with its setting changed after the header was written.
    const older = newFile();
    await writeOlderBackup(older, KEYS.RELAIS_BACKUP_RECIPIENT);
    const plaintext = await decrypt(older);
    const setting = JSON.stringify([OLDER_SETTING.key, OLDER_SETTING.value]);
    assert.ok(plaintext.includes(setting));
    const tampered = newFile();
    await encrypt(tampered, plaintext.replace(setting, JSON.stringify([OLDER_SETTING.key, 'changée'])));
    const res = await runRelais(['backup', '--verify', tampered], KEYS);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /platform_setting\s+1\s+1\s+DIFFÉRENTE/);
    assert.match(res.stderr, /Sauvegarde NON conforme : 1 table diffère .*\(platform_setting\)/);
  });

  test('a PGlite backup restores on PostgreSQL', { skip: !serverUrl }, async () => {
    // The target, a PGlite directory, holds the source's rows, restored from PostgreSQL.
    const file = newFile();
    assert.equal((await target.run(['backup', '--out', file], KEYS)).code, 0);
    const server = await openCliDatabase();
    try {
      const restored = await server.run(['restore', file], KEYS);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /sur pglite\)/);
      assert.deepEqual(await tableSnapshot(server.db), sourceSnapshot);
    } finally {
      await server.close();
    }
  });
});

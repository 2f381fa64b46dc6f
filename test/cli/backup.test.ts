import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { openDatabase } from '../../src/platform/db/database.ts';
import { runRelais } from '../helpers/cli.ts';
import { createTestDataDir, serverUrl, tableSnapshot } from '../helpers/database.ts';

const PASSPHRASE = 'phrase de passe des tests de la ligne de commande';
// A key pair for most tests: a passphrase costs seconds of scrypt at each use, by design.
const IDENTITY = await generateIdentity();
const KEYS = {
  RELAIS_BACKUP_RECIPIENT: await identityToRecipient(IDENTITY),
  RELAIS_BACKUP_IDENTITY: IDENTITY,
};

type DataDir = { env: Record<string, string>; cleanup(): Promise<void> };

/** Every table's rows as text, sorted, read straight from the database a command used. */
async function snapshot(env: Record<string, string>): Promise<Record<string, string[]>> {
  const handle = await openDatabase(
    env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR! },
  );
  try {
    return await tableSnapshot(handle.db);
  } finally {
    await handle.close();
  }
}

/** A new PGlite data directory nobody has migrated yet. */
function newPgliteDir(): DataDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-cli-pglite-'));
  return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe('backup and restore commands', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-cli-backup-'));
  let fileCount = 0;
  const newFile = () => path.join(dir, `sauvegarde-${++fileCount}.age`);
  const cleanups: (() => Promise<void>)[] = [];
  const dataDir = async (make: () => Promise<DataDir> | DataDir = createTestDataDir) => {
    const made = await make();
    cleanups.push(made.cleanup);
    return made.env;
  };

  let source: Record<string, string>;
  let backup: string;
  let backupOutput: string;
  before(async () => {
    source = await dataDir();
    const seeded = await runRelais(['seed'], source);
    assert.equal(seeded.code, 0, seeded.stderr);
    backup = newFile();
    const made = await runRelais(['backup', '--out', backup], { ...source, ...KEYS });
    assert.equal(made.code, 0, made.stderr);
    backupOutput = made.stdout;
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
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

  test('backup, verify, then restore into an empty database: the same rows', async () => {
    assert.match(backupOutput, /collectivite\s+8\n/);
    assert.match(
      backupOutput,
      /Sauvegarde écrite : .+ — \d+ tables, [\d\u202f ]+ lignes, [\d\u202f ,]+ Ko chiffrés, en [\d,]+ s\./,
    );

    const verified = await runRelais(['backup', '--verify', backup], KEYS);
    assert.equal(verified.code, 0, verified.stderr);
    const tables = Object.keys(await snapshot(source));
    for (const table of tables)
      assert.match(verified.stdout, new RegExp(`\\n {2}${table}\\s+\\d+\\s+\\d+\\s+identique`));
    assert.match(verified.stdout, new RegExp(`Sauvegarde vérifiée : ${tables.length} tables`));

    const target = await dataDir();
    const restored = await runRelais(['restore', backup], { ...target, ...KEYS });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(
      restored.stdout,
      /Sauvegarde restaurée : \d+ tables, [\d\u202f ]+ lignes depuis .+ en [\d,]+ s\./,
    );
    assert.deepEqual(await snapshot(target), await snapshot(source));
  });

  test('restore refuses a database that holds data unless --force', async () => {
    const target = await dataDir();
    assert.equal((await runRelais(['collectivite', 'add', '42218'], target)).code, 0);
    const before = await snapshot(target);
    const refused = await runRelais(['restore', backup], { ...target, ...KEYS });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Erreur : La base cible contient déjà des données \(tables .*collectivite/);
    assert.match(refused.stderr, /ajoutez --force/);
    assert.deepEqual(await snapshot(target), before);

    const forced = await runRelais(['restore', backup, '--force'], { ...target, ...KEYS });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Tables vidées d’abord \(--force\) : .*collectivite/);
    assert.deepEqual(await snapshot(target), await snapshot(source));
  });

  test('wrong key, truncated file, random bytes: French message, exit 1, target unchanged', async () => {
    const target = await dataDir();
    assert.equal((await runRelais(['collectivite', 'add', '42218'], target)).code, 0);
    const before = await snapshot(target);
    const bytes = readFileSync(backup);
    const truncated = newFile();
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const random = newFile();
    writeFileSync(random, randomBytes(5000));
    const cases: [string, Record<string, string>, RegExp][] = [
      [backup, { RELAIS_BACKUP_IDENTITY: await generateIdentity() }, /phrase de passe ou clé incorrecte/],
      [truncated, KEYS, /Sauvegarde corrompue ou tronquée/],
      [random, KEYS, /n’est pas une sauvegarde chiffrée avec age/],
      [path.join(dir, 'absente.age'), KEYS, /Fichier introuvable/],
    ];
    for (const [file, keys, message] of cases) {
      // --force: even a target that restore would empty first stays as it was.
      const res = await runRelais(['restore', file, '--force'], { ...target, ...keys });
      assert.equal(res.code, 1, file);
      assert.match(res.stderr, /^Erreur : /, file);
      assert.match(res.stderr, message, file);
      const verified = await runRelais(['backup', '--verify', file], keys);
      assert.equal(verified.code, 1, file);
      assert.match(verified.stderr, message, file);
    }
    assert.deepEqual(await snapshot(target), before);
  });

  test('verify exits with 1 and names the table whose rows differ from the header', async () => {
    const decrypter = new Decrypter();
    decrypter.addIdentity(IDENTITY);
    const plaintext = gunzipSync(await decrypter.decrypt(readFileSync(backup))).toString('utf8');
    assert.match(plaintext, /Ville de Villeurbanne/);
    const encrypter = new Encrypter();
    encrypter.addRecipient(KEYS.RELAIS_BACKUP_RECIPIENT);
    const tampered = newFile();
    const edited = plaintext.replace('Ville de Villeurbanne', 'Ville de Lyon');
    writeFileSync(tampered, await encrypter.encrypt(gzipSync(edited)));
    const res = await runRelais(['backup', '--verify', tampered], KEYS);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /collectivite\s+8\s+8\s+DIFFÉRENTE/);
    assert.match(res.stderr, /Sauvegarde NON conforme : 1 table diffère .*\(collectivite\)/);
  });

  test('a backup encrypted with a passphrase verifies with it only, not with another or a key', async () => {
    const file = newFile();
    const made = await runRelais(['backup', '--out', file], {
      ...source,
      RELAIS_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    assert.equal(made.code, 0, made.stderr);
    const verified = await runRelais(['backup', '--verify', file], { RELAIS_BACKUP_PASSPHRASE: PASSPHRASE });
    assert.equal(verified.code, 0, verified.stderr);
    for (const keys of [{ RELAIS_BACKUP_PASSPHRASE: 'ce n’est pas la bonne phrase' }, KEYS]) {
      const refused = await runRelais(['backup', '--verify', file], keys);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /phrase de passe ou clé incorrecte/);
    }
  });

  test('restore into a new, never migrated PGlite directory migrates it first', async () => {
    const target = await dataDir(newPgliteDir);
    const restored = await runRelais(['restore', backup], { ...target, ...KEYS });
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await snapshot(target), await snapshot(source));
    const migrate = await runRelais(['migrate'], target);
    assert.match(migrate.stdout, /Base à jour/);
  });

  test('a PGlite backup restores and verifies on PostgreSQL', { skip: !serverUrl }, async () => {
    const embedded = await dataDir(newPgliteDir);
    assert.equal((await runRelais(['seed'], embedded)).code, 0);
    assert.equal((await runRelais(['collectivite', 'add', '42218'], embedded)).code, 0);
    const file = newFile();
    assert.equal((await runRelais(['backup', '--out', file], { ...embedded, ...KEYS })).code, 0);
    const server = await dataDir();
    const restored = await runRelais(['restore', file], { ...server, ...KEYS });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /sur pglite\)/);
    assert.deepEqual(await snapshot(server), await snapshot(embedded));
    // And back: the server's copy, backed up, verifies (on PGlite) with the same checksums.
    const again = newFile();
    assert.equal((await runRelais(['backup', '--out', again], { ...server, ...KEYS })).code, 0);
    const verified = await runRelais(['backup', '--verify', again], KEYS);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /source postgres/);
  });
});

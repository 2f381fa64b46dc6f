import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { sql } from 'kysely';
import { writeOlderBackup } from '../../../test/fixtures/older-backup.ts';
import {
  createTestDatabase,
  serverUrl,
  type TestDatabase,
  tableSnapshot,
} from '../../../test/helpers/database.ts';
import { modules } from '../../modules/index.ts';
import type { Db } from '../db/database.ts';
import { storeFile } from '../files.ts';
import { dependencyOrder, tableChecksum } from './catalog.ts';
import type { BackupKeys } from './encryption.ts';
import { createBackup, restoreBackup, verifyBackup } from './index.ts';
import { openBackup } from './load.ts';

const PASSPHRASE = 'phrase de passe des tests de sauvegarde';
// A key pair: a passphrase costs seconds of scrypt at each use, by design. The CLI tests make
// and verify a backup with a passphrase, at the production cost.
const identity = await generateIdentity();
const keys: BackupKeys = { recipient: await identityToRecipient(identity), identity };
const dir = mkdtempSync(path.join(tmpdir(), 'relais-backup-test-'));
let fileCount = 0;
const newFile = () => path.join(dir, `sauvegarde-${++fileCount}.age`);

const snapshot = tableSnapshot;

const sequenceState = async (db: Db) =>
  (
    await sql<{
      v: string;
    }>`select last_value::text || '/' || is_called as v from collectivite_id_seq`.execute(db)
  ).rows[0]!.v;

/** Adds to the demo a stored file with every byte value, and values that are awkward in text forms. */
async function fillSource(db: Db): Promise<void> {
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(150_000)]);
  await storeFile(db, bytes, 'application/octet-stream');
  const awkward = [
    '',
    'ligne 1\nligne 2',
    'guillemets " et \\ barre',
    'virgule, (parenthèses)',
    'émoji 🚲',
    'NULL',
  ];
  await db
    .insertInto('platform_setting')
    .values(awkward.map((value, i) => ({ key: `test.awkward.${i}`, value })))
    .execute();
}

const ROLLBACK = new Error('rollback');

/** What `work` returns, run in a transaction that is rolled back afterwards. */
async function rolledBack<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      result = await work(trx);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result as T;
}

/** Decrypts a backup, lets `edit` change its plaintext lines, and encrypts it again. */
async function rewrite(file: string, edit: (lines: string[]) => string[]): Promise<string> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  const plaintext = gunzipSync(await decrypter.decrypt(readFileSync(file)));
  const lines = edit(plaintext.toString('utf8').trimEnd().split('\n'));
  const encrypter = new Encrypter();
  encrypter.addRecipient(keys.recipient!);
  const out = newFile();
  writeFileSync(out, await encrypter.encrypt(gzipSync(`${lines.join('\n')}\n`)));
  return out;
}

const editHeader = (edit: (header: Record<string, unknown>) => void) => (lines: string[]) => {
  const header = JSON.parse(lines[0]!);
  edit(header);
  return [JSON.stringify(header), ...lines.slice(1)];
};

describe('backups', () => {
  // One source (the demo, a file, awkward values) backed up once, and one target that the
  // first test restores into and later tests keep using: every failed restore leaves it as
  // it was, every successful one makes it the source's copy again.
  let source: TestDatabase;
  let target: TestDatabase;
  let backup: string;
  let sourceSnapshot: Record<string, string[]>;
  before(async () => {
    [source, target] = await Promise.all([createTestDatabase({ demo: true }), createTestDatabase()]);
    await fillSource(source.db);
    sourceSnapshot = await snapshot(source.db);
    backup = newFile();
    await createBackup(source.db, backup, keys);
  });
  after(async () => {
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the header records migrations, tables, row counts and checksums', async () => {
    const opened = await openBackup(backup, keys);
    await opened.close();
    const { header } = opened;
    assert.equal(header.version, 1);
    assert.equal(header.source.kind, serverUrl ? 'postgres' : 'pglite');
    assert.ok(header.migrations.includes('202611280000_platform_init'));
    assert.deepEqual(header.tables.map((t) => t.name).sort(), Object.keys(sourceSnapshot));
    for (const table of header.tables)
      assert.equal(table.rows, sourceSnapshot[table.name]!.length, table.name);
    // Referenced tables come first.
    const names = header.tables.map((t) => t.name);
    assert.ok(names.indexOf('app_user') < names.indexOf('membership'));
    assert.ok(names.indexOf('stored_file') < names.indexOf('collectivite'));
  });

  test('a backup restores into an empty database: same rows, files and sequences', async () => {
    const result = await restoreBackup(target.db, backup, keys, { modules });
    assert.deepEqual(await snapshot(target.db), sourceSnapshot);
    assert.equal(await sequenceState(target.db), await sequenceState(source.db));
    assert.equal(result.rows, Object.values(sourceSnapshot).flat().length);
    assert.deepEqual(result.cleared, []);
    assert.deepEqual(result.migrated, []);
    const file = await target.db
      .selectFrom('stored_file')
      .select(['bytes', 'sha256'])
      .executeTakeFirstOrThrow();
    assert.equal(createHash('sha256').update(file.bytes).digest('hex'), file.sha256);
  });

  test('restore refuses a database that holds data; --force replaces it', async () => {
    await target.db.insertInto('platform_setting').values({ key: 'deja.la', value: 'oui' }).execute();
    const before = await snapshot(target.db);
    await assert.rejects(
      restoreBackup(target.db, backup, keys, { modules }),
      /La base cible contient déjà des données \(tables .*platform_setting.*\).*--force/,
    );
    assert.deepEqual(await snapshot(target.db), before);
    const result = await restoreBackup(target.db, backup, keys, { modules, force: true });
    const filled = Object.keys(before).filter(
      (name) => before[name]!.length > 0 && !['relais_migration', 'relais_migration_lock'].includes(name),
    );
    assert.deepEqual([...result.cleared].sort(), filled);
    assert.deepEqual(await snapshot(target.db), sourceSnapshot);
  });

  test('unreadable backups fail in French and leave the target as it was', async () => {
    const bytes = readFileSync(backup);
    const write = (content: Uint8Array) => {
      const file = newFile();
      writeFileSync(file, content);
      return file;
    };
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01;
    // [case, file, message, keys, refused before any row is read]: those verify refuses too,
    // before it creates its throwaway database (the CLI tests verify the others).
    const cases: [string, string, RegExp, BackupKeys, boolean][] = [
      [
        'wrong key',
        backup,
        /phrase de passe ou clé incorrecte/,
        { identity: await generateIdentity() },
        true,
      ],
      ['missing file', path.join(dir, 'absente.age'), /Fichier introuvable/, keys, true],
      ['random bytes', write(randomBytes(4096)), /n’est pas une sauvegarde chiffrée avec age/, keys, true],
      [
        'truncated',
        write(bytes.subarray(0, Math.floor(bytes.length * 0.6))),
        /corrompue ou tronquée/,
        keys,
        false,
      ],
      ['truncated header', write(bytes.subarray(0, 120)), /En-tête age corrompu ou tronqué/, keys, true],
      ['one byte changed', write(flipped), /corrompue ou tronquée/, keys, false],
      [
        'unknown format version',
        await rewrite(
          backup,
          editHeader((h) => Object.assign(h, { version: 2 })),
        ),
        /Format de sauvegarde inconnu \(version 2\)/,
        keys,
        true,
      ],
      [
        'unknown migration',
        await rewrite(
          backup,
          editHeader((h) => (h.migrations as string[]).push('209912310000_futur_module')),
        ),
        /ne connaît pas ses migrations 209912310000_futur_module/,
        keys,
        true,
      ],
      [
        'missing end',
        await rewrite(backup, (lines) => lines.slice(0, -1)),
        /la fin du fichier manque/,
        keys,
        false,
      ],
      [
        'rows that differ from the header',
        await rewrite(backup, (lines) =>
          lines.map((line) => line.replace('Ville de Villeurbanne', 'Ville de Vaulx-en-Velin')),
        ),
        // The demo names the town hall elsewhere too (the network's members, its news).
        /Les données restaurées diffèrent de la sauvegarde \(tables (\w+, )*collectivite(, \w+)*\) : rien n’a été restauré/,
        keys,
        false,
      ],
    ];
    const before = await snapshot(target.db);
    for (const [name, file, message, withKeys, early] of cases) {
      await assert.rejects(restoreBackup(target.db, file, withKeys, { modules, force: true }), message, name);
      if (early) await assert.rejects(verifyBackup(file, withKeys, { modules }), message, name);
    }
    // Each restore ran in one transaction: a change left by any case would still show.
    assert.deepEqual(await snapshot(target.db), before);
  });

  test('backup refuses to overwrite a file and to run without a key', async () => {
    await assert.rejects(createBackup(source.db, backup, keys), /existe déjà/);
    await assert.rejects(createBackup(source.db, newFile(), {}), /Aucune clé de chiffrement/);
    await assert.rejects(
      createBackup(source.db, newFile(), { passphrase: PASSPHRASE, recipient: keys.recipient }),
      /l’une ou l’autre/,
    );
  });

  test('the checksum hashes sorted row hashes: independent of row order and of the server', async () => {
    const rows = [
      { key: 'b', value: 'deux' },
      { key: 'a', value: 'un, "quoted"' },
      { key: 'c', value: '' },
    ];
    const table = {
      name: 'platform_setting',
      columns: [
        { name: 'key', type: 'text', generated: false },
        { name: 'value', type: 'text', generated: false },
      ],
    };
    const checksum = await rolledBack(target.db, async (trx) => {
      await trx.deleteFrom('platform_setting').execute();
      await trx.insertInto('platform_setting').values(rows).execute();
      return tableChecksum(trx, table);
    });
    const sha = (data: string | Buffer) => createHash('sha256').update(data).digest();
    // ROW(key, value)::text, as PostgreSQL prints records.
    const texts = ['(b,deux)', '(a,"un, ""quoted""")', '(c,"")'];
    const expected = sha(Buffer.concat(texts.map(sha).sort(Buffer.compare))).toString('hex');
    assert.deepEqual(checksum, { rows: 3, checksum: expected });
  });

  test('tables are loaded after the tables they reference; a cycle is refused', () => {
    assert.deepEqual(
      dependencyOrder(
        ['membership', 'app_user', 'zone', 'audit'],
        [
          ['membership', 'app_user'],
          ['app_user', 'zone'],
          ['zone', 'zone'],
        ],
      ),
      ['audit', 'zone', 'app_user', 'membership'],
    );
    assert.throws(
      () =>
        dependencyOrder(
          ['a', 'b'],
          [
            ['a', 'b'],
            ['b', 'a'],
          ],
        ),
      /se référencent en cycle et ne peuvent pas être chargées dans l’ordre : a, b/,
    );
  });

  test('a database already migrated beyond the backup’s version is refused, unchanged', async () => {
    // A backup of an older version (the CLI tests restore it into a new database).
    const older = newFile();
    await writeOlderBackup(older, keys.recipient!);
    const before = await snapshot(target.db);
    await assert.rejects(
      restoreBackup(target.db, older, keys, { modules, force: true }),
      /La base cible a déjà des migrations plus récentes que la sauvegarde \(.*202611280010_platform_audit/,
    );
    assert.deepEqual(await snapshot(target.db), before);
  });
});

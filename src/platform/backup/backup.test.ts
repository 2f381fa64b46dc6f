import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { sql } from 'kysely';
import {
  createTestDatabase,
  serverUrl,
  type TestDatabase,
  tableSnapshot,
} from '../../../test/helpers/database.ts';
import { seedDemoOnce } from '../../main.ts';
import { modules } from '../../modules/index.ts';
import { loadConfig } from '../config.ts';
import { type Db, openDatabase, PGLITE_EXTENSIONS } from '../db/database.ts';
import { collectMigrations, migrateToLatest } from '../db/migrate.ts';
import { storeFile } from '../files.ts';
import { dependencyOrder, tableChecksum } from './catalog.ts';
import type { BackupKeys } from './encryption.ts';
import { createBackup, restoreBackup, verifyBackup } from './index.ts';
import { openBackup } from './load.ts';
import { migrateToBackup } from './migrations.ts';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const PASSPHRASE = 'phrase de passe des tests de sauvegarde';
// A key pair for most tests: a passphrase costs seconds of scrypt at each use, by design.
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

/** The demo, a stored file with every byte value, and values that are awkward in text forms. */
async function fillSource(db: Db): Promise<void> {
  await seedDemoOnce({ db, config });
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
  let source: TestDatabase;
  let backup: string;
  let sourceSnapshot: Record<string, string[]>;
  before(async () => {
    source = await createTestDatabase();
    await fillSource(source.db);
    sourceSnapshot = await snapshot(source.db);
    backup = newFile();
    await createBackup(source.db, backup, keys);
  });
  after(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a backup restores into an empty database: same rows, files and sequences', async () => {
    const target = await createTestDatabase();
    try {
      const result = await restoreBackup(target.db, backup, keys, { modules });
      assert.deepEqual(await snapshot(target.db), sourceSnapshot);
      assert.equal(await sequenceState(target.db), await sequenceState(source.db));
      assert.equal(result.rows, Object.values(sourceSnapshot).flat().length);
      assert.deepEqual(result.cleared, []);
      const file = await target.db
        .selectFrom('stored_file')
        .select(['bytes', 'sha256'])
        .executeTakeFirstOrThrow();
      assert.equal(createHash('sha256').update(file.bytes).digest('hex'), file.sha256);
    } finally {
      await target.close();
    }
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

  test('verify restores into a throwaway PGlite and finds every table identical', async () => {
    const report = await verifyBackup(backup, keys, { modules });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.tables.filter((t) => !t.ok),
      [],
    );
    const collectivites = report.tables.find((t) => t.name === 'collectivite')!;
    assert.equal(collectivites.restoredRows, 8);
  });

  test('verify reports a table whose rows differ from the header, and restore refuses it', async () => {
    const tampered = await rewrite(backup, (lines) =>
      lines.map((line) => line.replace('Ville de Villeurbanne', 'Ville de Vaulx-en-Velin')),
    );
    const report = await verifyBackup(tampered, keys, { modules });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.tables.filter((t) => !t.ok).map((t) => t.name),
      ['collectivite'],
    );
    const target = await createTestDatabase();
    try {
      const before = await snapshot(target.db);
      await assert.rejects(
        restoreBackup(target.db, tampered, keys, { modules }),
        /Les données restaurées diffèrent de la sauvegarde \(tables collectivite\) : rien n’a été restauré/,
      );
      assert.deepEqual(await snapshot(target.db), before);
    } finally {
      await target.close();
    }
  });

  test('a backup encrypted with a passphrase needs that passphrase, and a key’s needs its secret key', async () => {
    const file = newFile();
    await createBackup(source.db, file, { passphrase: PASSPHRASE });
    assert.equal((await verifyBackup(file, { passphrase: PASSPHRASE }, { modules })).ok, true);
    for (const wrong of [keys, { passphrase: 'une autre phrase de passe' }])
      await assert.rejects(verifyBackup(file, wrong, { modules }), /phrase de passe ou clé incorrecte/);
    await assert.rejects(
      verifyBackup(backup, { identity: await generateIdentity() }, { modules }),
      /phrase de passe ou clé incorrecte/,
    );
  });

  test('backup refuses to overwrite a file and to run without a key', async () => {
    await assert.rejects(createBackup(source.db, backup, keys), /existe déjà/);
    await assert.rejects(createBackup(source.db, newFile(), {}), /Aucune clé de chiffrement/);
    await assert.rejects(
      createBackup(source.db, newFile(), { passphrase: PASSPHRASE, recipient: keys.recipient }),
      /l’une ou l’autre/,
    );
  });

  test('restore refuses a database that holds data; --force replaces it', async () => {
    const target = await createTestDatabase();
    try {
      await target.db.insertInto('platform_setting').values({ key: 'deja.la', value: 'oui' }).execute();
      const before = await snapshot(target.db);
      await assert.rejects(
        restoreBackup(target.db, backup, keys, { modules }),
        /La base cible contient déjà des données \(tables platform_setting\).*--force/,
      );
      assert.deepEqual(await snapshot(target.db), before);
      const result = await restoreBackup(target.db, backup, keys, { modules, force: true });
      assert.deepEqual(result.cleared, ['platform_setting']);
      assert.deepEqual(await snapshot(target.db), sourceSnapshot);
    } finally {
      await target.close();
    }
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
    const cases: [string, string, RegExp, typeof keys][] = [
      ['wrong key', backup, /phrase de passe ou clé incorrecte/, { identity: await generateIdentity() }],
      ['random bytes', write(randomBytes(4096)), /n’est pas une sauvegarde chiffrée avec age/, keys],
      ['truncated', write(bytes.subarray(0, Math.floor(bytes.length * 0.6))), /corrompue ou tronquée/, keys],
      ['truncated header', write(bytes.subarray(0, 120)), /En-tête age corrompu ou tronqué/, keys],
      ['one byte changed', write(flipped), /corrompue ou tronquée/, keys],
      [
        'unknown format version',
        await rewrite(
          backup,
          editHeader((h) => Object.assign(h, { version: 2 })),
        ),
        /Format de sauvegarde inconnu \(version 2\)/,
        keys,
      ],
      [
        'unknown migration',
        await rewrite(
          backup,
          editHeader((h) => (h.migrations as string[]).push('209912310000_futur_module')),
        ),
        /ne connaît pas ses migrations 209912310000_futur_module/,
        keys,
      ],
      ['missing end', await rewrite(backup, (lines) => lines.slice(0, -1)), /la fin du fichier manque/, keys],
    ];
    const target = await createTestDatabase();
    try {
      await target.db.insertInto('platform_setting').values({ key: 'deja.la', value: 'oui' }).execute();
      const before = await snapshot(target.db);
      for (const [name, file, message, withKeys] of cases) {
        await assert.rejects(
          restoreBackup(target.db, file, withKeys, { modules, force: true }),
          message,
          name,
        );
        assert.deepEqual(await snapshot(target.db), before, name);
      }
    } finally {
      await target.close();
    }
  });

  test('the checksum hashes sorted row hashes: independent of row order and of the server', async () => {
    const rows = [
      { key: 'b', value: 'deux' },
      { key: 'a', value: 'un, "quoted"' },
      { key: 'c', value: '' },
    ];
    const target = await createTestDatabase();
    try {
      await target.db.insertInto('platform_setting').values(rows).execute();
      const table = {
        name: 'platform_setting',
        columns: [
          { name: 'key', type: 'text', generated: false },
          { name: 'value', type: 'text', generated: false },
        ],
      };
      const sha = (data: string | Buffer) => createHash('sha256').update(data).digest();
      // ROW(key, value)::text, as PostgreSQL prints records.
      const texts = ['(b,deux)', '(a,"un, ""quoted""")', '(c,"")'];
      const expected = sha(Buffer.concat(texts.map(sha).sort(Buffer.compare))).toString('hex');
      assert.deepEqual(await tableChecksum(target.db, table), { rows: 3, checksum: expected });
    } finally {
      await target.close();
    }
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

  test('an older backup restores into a new database, then the later migrations run', async () => {
    const [first, ...later] = Object.keys(collectMigrations(modules)).sort();
    const older = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const fresh = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const [olderDb, freshDb] = [await openDatabase({ pglite: older }), await openDatabase({ pglite: fresh })];
    const target = await createTestDatabase();
    try {
      await migrateToBackup(olderDb.db, [first!], modules);
      await olderDb.db.insertInto('platform_setting').values({ key: 'ancienne', value: 'version' }).execute();
      const file = newFile();
      await createBackup(olderDb.db, file, keys);
      const result = await restoreBackup(freshDb.db, file, keys, { modules });
      assert.deepEqual(result.migrated, later);
      assert.deepEqual(await freshDb.db.selectFrom('platform_setting').selectAll().execute(), [
        { key: 'ancienne', value: 'version' },
      ]);
      await assert.rejects(
        restoreBackup(target.db, file, keys, { modules }),
        /La base cible a déjà des migrations plus récentes que la sauvegarde/,
      );
    } finally {
      await target.close();
      await Promise.all([olderDb.close(), freshDb.close()]);
      await Promise.all([older.close(), fresh.close()]);
    }
  });

  test('a backup of PGlite restores on this server and the reverse', { skip: !serverUrl }, async () => {
    const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const embedded = await openDatabase({ pglite });
    const server = await createTestDatabase();
    try {
      await migrateToLatest(embedded.db, modules);
      // PostgreSQL to PGlite.
      await restoreBackup(embedded.db, backup, keys, { modules });
      assert.deepEqual(await snapshot(embedded.db), sourceSnapshot);
      // PGlite to PostgreSQL.
      await embedded.db
        .insertInto('platform_setting')
        .values({ key: 'depuis.pglite', value: 'oui' })
        .execute();
      const fromPglite = newFile();
      const made = await createBackup(embedded.db, fromPglite, keys);
      assert.ok(made.rows > 0);
      await restoreBackup(server.db, fromPglite, keys, { modules });
      assert.deepEqual(await snapshot(server.db), await snapshot(embedded.db));
      assert.equal((await verifyBackup(fromPglite, keys, { modules })).ok, true);
    } finally {
      await server.close();
      await embedded.close();
      await pglite.close();
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeS3 } from '../../../test/helpers/fake-s3.ts';
import { type BackupDestination, backupName, latestBackup, openDestination } from './destination.ts';

const BUCKET = 'sauvegardes-opsn';
const ACCESS_KEY = 'CLE-ACCES-DES-TESTS';

/** What every destination must do, whatever stores the files. */
async function exercise(destination: BackupDestination, work: string) {
  const names = ['2026-11-30T01:15:00Z', '2026-12-06T01:15:00Z', '2026-12-01T01:15:00Z'].map((d) =>
    backupName(new Date(d)),
  );
  const contents = new Map<string, Buffer>();
  for (const name of names) {
    const bytes = randomBytes(1000 + contents.size);
    contents.set(name, bytes);
    await destination.store(name, async (file) => writeFileSync(file, bytes));
  }
  const listed = await destination.list();
  assert.deepEqual(
    listed.map((b) => [b.name, b.bytes]),
    [names[1], names[2], names[0]].map((n) => [n, contents.get(n!)!.length]),
  );
  assert.equal((await latestBackup(destination)).name, names[1]);
  const out = path.join(work, 'copie.age');
  await destination.fetch(names[2]!, out);
  assert.deepEqual(readFileSync(out), contents.get(names[2]!));
  await assert.rejects(destination.fetch(names[2]!, out), /existe déjà/);
  await assert.rejects(
    destination.fetch('notes.txt', path.join(work, 'autre')),
    /n’est pas un nom de sauvegarde/,
  );
  await destination.remove(names[0]!);
  assert.deepEqual(
    (await destination.list()).map((b) => b.name),
    [names[1], names[2]],
  );
  await assert.rejects(destination.remove('notes.txt'), /n’est pas un nom de sauvegarde/);
}

describe('backup destinations', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'relais-destinations-'));
  let s3: Awaited<ReturnType<typeof startFakeS3>>;
  before(async () => {
    s3 = await startFakeS3({ bucket: BUCKET, accessKey: ACCESS_KEY });
  });
  after(async () => {
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('a directory: lists, stores, fetches and removes backups only, and leaves other files alone', async () => {
    const dir = path.join(work, 'dossier');
    await assert.rejects(
      (await openDestination({ kind: 'directory', path: dir })).list(),
      /Le dossier de destination des sauvegardes .*dossier n’existe pas/,
    );
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'à garder');
    writeFileSync(path.join(dir, 'relais-2026-12-06T01-15-00Z.age.1234.partiel'), 'interrompue');
    await exercise(await openDestination({ kind: 'directory', path: dir }), path.join(work));
    assert.ok(readdirSync(dir).includes('notes.txt'));
    assert.ok(readdirSync(dir).includes('relais-2026-12-06T01-15-00Z.age.1234.partiel'));
  });

  test('an S3-compatible bucket under a prefix: signed requests, pages of the listing, other keys left alone', async () => {
    s3.objects.set('relais/notes.txt', Buffer.from('à garder'));
    s3.objects.set('autre-application/relais-2026-12-07T01-15-00Z.age', Buffer.from('pas sous le préfixe'));
    const setting = {
      kind: 's3' as const,
      bucket: BUCKET,
      prefix: 'relais/',
      endpoint: s3.endpoint,
      region: 'fr-par',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: 'secret-des-tests',
    };
    const fetched = path.join(work, 's3');
    mkdirSync(fetched);
    await exercise(await openDestination(setting), fetched);
    assert.ok(s3.objects.has('relais/notes.txt'));
    assert.ok(s3.objects.has('autre-application/relais-2026-12-07T01-15-00Z.age'));
    // Path-style addresses, the bucket in the path, every request signed with the key.
    assert.ok(s3.requests.every((r) => r.bucket === BUCKET));
    const kinds = new Set(s3.requests.map((r) => `${r.method} ${r.key ? 'objet' : 'seau'}`));
    assert.deepEqual([...kinds].sort(), ['DELETE objet', 'GET objet', 'GET seau', 'PUT objet']);
    // Four objects under the prefix at the first listing: two pages of two.
    assert.ok(s3.requests.some((r) => r.query.includes('continuation-token=2')));

    // A large backup goes up in parts (16 MiB each) and comes back whole.
    const large = randomBytes(17 * 1024 * 1024);
    const name = backupName(new Date('2026-12-08T01:15:00Z'));
    const destination = await openDestination(setting);
    await destination.store(name, async (file) => writeFileSync(file, large));
    assert.ok(s3.requests.some((r) => r.method === 'POST' && r.query.includes('uploads')));
    assert.ok(s3.requests.some((r) => r.method === 'PUT' && r.query.includes('partNumber=2')));
    assert.ok(s3.objects.get(`relais/${name}`)!.equals(large));

    // A wrong key or bucket is said in French, with what the store answered.
    const refused = await openDestination({ ...setting, accessKeyId: 'AUTRE-CLE' });
    await assert.rejects(
      refused.list(),
      /s3:\/\/sauvegardes-opsn\/relais\/ : échec de la liste des sauvegardes \(HTTP 403\)/,
    );
    const missing = await openDestination({ ...setting, bucket: 'seau-absent' });
    await assert.rejects(
      missing.store(name, async (file) => writeFileSync(file, 'x')),
      /échec de l’envoi de .* \(HTTP 404\)/,
    );
  });
});

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type BackupDestination,
  backupDate,
  checkName,
  type DestinationSetting,
  newestFirst,
  type StoredBackup,
} from './destination.ts';
import { BackupError } from './errors.ts';

type S3Setting = Extract<DestinationSetting, { kind: 's3' }>;

/** Parts of a large backup's multipart upload; S3 allows 10 000 parts, so up to 160 GB. */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * A bucket of S3 or of an S3-compatible store (Scaleway, OVHcloud, Outscale, MinIO, Garage…)
 * through the AWS SDK. With an endpoint, requests use path-style addresses, which every
 * compatible store accepts; checksums are sent only where S3 requires them, since several
 * compatible stores refuse the SDK's newer default ones.
 */
export function s3Destination(setting: S3Setting): BackupDestination {
  const client = new S3Client({
    region: setting.region,
    endpoint: setting.endpoint,
    forcePathStyle: Boolean(setting.endpoint),
    credentials:
      setting.accessKeyId && setting.secretAccessKey
        ? { accessKeyId: setting.accessKeyId, secretAccessKey: setting.secretAccessKey }
        : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const label = `s3://${setting.bucket}/${setting.prefix}`;
  const key = (name: string) => `${setting.prefix}${name}`;
  /** Any failure of the store, explained: which operation, which bucket, what it answered. */
  const explained = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BackupError) throw error;
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
      throw new BackupError(`${label} : échec de ${what}${status} : ${e.name} ${e.message}`.trim(), {
        cause: error,
      });
    }
  };

  return {
    label,
    list: () =>
      explained('la liste des sauvegardes', async () => {
        const found: StoredBackup[] = [];
        let token: string | undefined;
        do {
          const page: ListObjectsV2CommandOutput = await client.send(
            new ListObjectsV2Command({
              Bucket: setting.bucket,
              Prefix: setting.prefix || undefined,
              ContinuationToken: token,
            }),
          );
          for (const object of page.Contents ?? []) {
            const name = object.Key?.slice(setting.prefix.length) ?? '';
            const createdAt = backupDate(name);
            if (createdAt) found.push({ name, createdAt, bytes: object.Size ?? 0 });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return newestFirst(found);
      }),
    async store(name, write) {
      checkName(name);
      // The backup is written locally first (it is encrypted there), then sent.
      const dir = await mkdtemp(path.join(tmpdir(), 'relais-sauvegarde-'));
      try {
        const file = path.join(dir, name);
        await write(file);
        await explained(`l’envoi de ${name}`, async () => {
          const upload = new Upload({
            client,
            params: {
              Bucket: setting.bucket,
              Key: key(name),
              Body: createReadStream(file),
              ContentType: 'application/octet-stream',
            },
            partSize: Math.max(PART_SIZE, Math.ceil((await stat(file)).size / 9_000)),
            queueSize: 2,
          });
          await upload.done();
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    fetch: (name, out) =>
      explained(`la lecture de ${name}`, async () => {
        checkName(name);
        const object = await client.send(new GetObjectCommand({ Bucket: setting.bucket, Key: key(name) }));
        try {
          await pipeline(object.Body as Readable, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new BackupError(`Le fichier ${out} existe déjà : choisissez un autre nom.`);
          }
          await rm(out, { force: true });
          throw error;
        }
      }),
    remove: (name) =>
      explained(`la suppression de ${name}`, async () => {
        checkName(name);
        await client.send(new DeleteObjectCommand({ Bucket: setting.bucket, Key: key(name) }));
      }),
  };
}

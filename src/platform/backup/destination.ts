import { constants } from 'node:fs';
import { copyFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from './errors.ts';

/** A backup at its destination: its file name and when it was made (read from the name). */
export type StoredBackup = { name: string; createdAt: Date; bytes: number };

/**
 * Where scheduled backups go: a directory (a mounted disk, another machine's share) or an
 * S3-compatible bucket. Only files named like `backupName` are listed, fetched or removed:
 * whatever else the destination holds is left alone.
 */
export interface BackupDestination {
  /** In French, for summaries and messages: `le dossier /srv/sauvegardes`, `s3://bucket/relais/`. */
  readonly label: string;
  /** The backups there, newest first. */
  list(): Promise<StoredBackup[]>;
  /** Stores backup `name`, whose file `write` creates at the path it is given. */
  store(name: string, write: (file: string) => Promise<unknown>): Promise<void>;
  /** Copies backup `name` to the local file `out`, which must not exist. */
  fetch(name: string, out: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** What `RELAIS_BACKUP_DESTINATION` and the `RELAIS_BACKUP_S3_*` variables say. */
export type DestinationSetting =
  | { kind: 'directory'; path: string }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix, empty or ending with `/`. */
      prefix: string;
      endpoint: string | undefined;
      region: string;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
    };

const NAME = /^relais-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.age$/;

/** `relais-2026-12-06T02-15-00Z.age`: UTC, sorts by time, no character a file system or S3 refuses. */
export function backupName(date: Date): string {
  return `relais-${date.toISOString().slice(0, 19).replaceAll(':', '-')}Z.age`;
}

/** When a backup named by `backupName` was made, or undefined for any other name. */
export function backupDate(name: string): Date | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const newestFirst = (backups: StoredBackup[]) =>
  backups.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.name < b.name ? 1 : -1));

/** Refuses names that are not backups: nothing else is ever read or removed at a destination. */
export function checkName(name: string): void {
  if (!backupDate(name)) {
    throw new BackupError(
      `« ${name} » n’est pas un nom de sauvegarde (relais-AAAA-MM-JJTHH-MM-SSZ.age, ou « derniere »).`,
    );
  }
}

function directoryDestination(dir: string): BackupDestination {
  const requireDir = async () => {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new BackupError(
        `Le dossier de destination des sauvegardes ${dir} n’existe pas (RELAIS_BACKUP_DESTINATION) : créez-le ou montez le disque.`,
      );
    }
  };
  return {
    label: `le dossier ${dir}`,
    async list() {
      await requireDir();
      const found: StoredBackup[] = [];
      for (const name of await readdir(dir)) {
        const createdAt = backupDate(name);
        if (createdAt) found.push({ name, createdAt, bytes: (await stat(path.join(dir, name))).size });
      }
      return newestFirst(found);
    },
    async store(name, write) {
      checkName(name);
      await requireDir();
      // The backup writes aside then renames: an interrupted one never looks complete.
      await write(path.join(dir, name));
    },
    async fetch(name, out) {
      checkName(name);
      try {
        await copyFile(path.join(dir, name), out, constants.COPYFILE_EXCL);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new BackupError(
          code === 'EEXIST'
            ? `Le fichier ${out} existe déjà : choisissez un autre nom.`
            : code === 'ENOENT'
              ? `Sauvegarde introuvable : ${name} dans ${dir}.`
              : `Impossible de copier ${name} : ${(error as Error).message}`,
        );
      }
    },
    async remove(name) {
      checkName(name);
      await rm(path.join(dir, name));
    },
  };
}

/** The destination a setting names; the S3 client is loaded only when one is used. */
export async function openDestination(setting: DestinationSetting): Promise<BackupDestination> {
  if (setting.kind === 'directory') return directoryDestination(setting.path);
  const { s3Destination } = await import('./s3.ts');
  return s3Destination(setting);
}

/** The newest backup at `destination`, or a French error when there is none. */
export async function latestBackup(destination: BackupDestination): Promise<StoredBackup> {
  const [latest] = await destination.list();
  if (!latest) throw new BackupError(`Aucune sauvegarde dans ${destination.label}.`);
  return latest;
}

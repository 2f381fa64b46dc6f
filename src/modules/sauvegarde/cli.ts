import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkName, latestBackup } from '../../platform/backup/destination.ts';
import type { BackupHeader } from '../../platform/backup/format.ts';
import {
  BackupError,
  type BackupKeys,
  createBackup,
  restoreBackup,
  type VerifyReport,
  verifyBackup,
} from '../../platform/backup/index.ts';
import { openBackup } from '../../platform/backup/load.ts';
import { CliError } from '../../platform/cli-error.ts';
import { type Config, loadConfig } from '../../platform/config.ts';
import type { CliContext, RelaisModule } from '../../platform/module.ts';
import { formatBytes, formatCount, formatDuration, plural } from './format.ts';
import { configuredDestination } from './scheduled.ts';

const KEYS_HELP = `
Chiffrement (age), par variables d’environnement :
  RELAIS_BACKUP_PASSPHRASE   phrase de passe (sauvegarder et restaurer), ou bien
  RELAIS_BACKUP_RECIPIENT    clé publique age1… (sauvegarder)
  RELAIS_BACKUP_IDENTITY     clé secrète AGE-SECRET-KEY-1… (restaurer, vérifier)
Destination des sauvegardes planifiées (--list, --fetch) :
  RELAIS_BACKUP_DESTINATION  dossier, ou s3://seau/prefixe (voir RELAIS_BACKUP_S3_*)`;

const parisTime = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris' });

/** The backups at the configured destination, newest first. */
async function list(config: Config): Promise<void> {
  const destination = await configuredDestination(config);
  const backups = await destination.list();
  console.log(`${plural(backups.length, 'sauvegarde')} dans ${destination.label}, la plus récente d’abord :`);
  for (const b of backups) {
    console.log(`  ${b.name}  ${parisTime(b.createdAt).padEnd(20)}  ${formatBytes(b.bytes).padStart(10)}`);
  }
}

/** Copies one backup (`derniere`: the newest) from the destination to a local file. */
async function fetchBackup(config: Config, name: string, out: string): Promise<void> {
  const destination = await configuredDestination(config);
  const wanted = name === 'derniere' ? (await latestBackup(destination)).name : name;
  checkName(wanted);
  await destination.fetch(wanted, out);
  const copied = `Sauvegarde ${wanted} copiée depuis ${destination.label} vers ${out}`;
  const { backup: keys } = config;
  if (!keys.passphrase && !keys.identity) {
    console.log(`${copied} (en-tête non lu : RELAIS_BACKUP_IDENTITY absente).`);
    return;
  }
  // Its header read at once: a wrong key or a file that is no backup (encrypted by someone
  // else, cut short) is said now, before a restore.
  let header: BackupHeader;
  try {
    const opened = await openBackup(out, keys);
    await opened.close();
    header = opened.header;
  } catch (error) {
    await rm(out, { force: true });
    throw new BackupError(
      `${wanted} est illisible : ${(error as Error).message} La copie locale est effacée ; choisissez une sauvegarde plus ancienne (--list).`,
    );
  }
  const rows = header.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(
    `${copied} : créée le ${parisTime(new Date(header.createdAt))}, ${plural(header.tables.length, 'table')}, ${plural(rows, 'ligne')}.`,
  );
}

/** Backup errors are for the person at the terminal: printed as is, exit code 1. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message);
    throw error;
  }
}

function printTables(tables: { name: string; rows: number }[]): void {
  for (const t of tables) console.log(`  ${t.name.padEnd(28)} ${formatCount(t.rows).padStart(10)}`);
}

function printReport(report: VerifyReport): void {
  const { header } = report;
  console.log(
    `Sauvegarde du ${header.createdAt} (source ${header.source.kind}, ${plural(header.migrations.length, 'migration')}), ${formatBytes(report.bytes)}.`,
  );
  console.log(
    `  ${'table'.padEnd(28)} ${'attendu'.padStart(10)} ${'restauré'.padStart(10)}  somme de contrôle`,
  );
  for (const t of report.tables) {
    const rows =
      t.fileRows === t.restoredRows ? formatCount(t.restoredRows) : `${t.fileRows}/${t.restoredRows}`;
    const status = t.ok ? 'identique' : `DIFFÉRENTE (attendu ${t.expectedChecksum.slice(0, 12)}…)`;
    console.log(
      `  ${t.name.padEnd(28)} ${formatCount(t.expectedRows).padStart(10)} ${rows.padStart(10)}  ${status}`,
    );
  }
}

async function verify(file: string, keys: BackupKeys, modules: RelaisModule[]): Promise<void> {
  const report = await verifyBackup(file, keys, { modules });
  printReport(report);
  const rows = report.tables.reduce((sum, t) => sum + t.restoredRows, 0);
  const different = report.tables.filter((t) => !t.ok);
  if (different.length > 0) {
    throw new CliError(
      `Sauvegarde NON conforme : ${plural(different.length, 'table')} ${different.length > 1 ? 'diffèrent' : 'diffère'} de ce que l’en-tête annonce (${different.map((t) => t.name).join(', ')}).`,
    );
  }
  console.log(
    `Sauvegarde vérifiée : ${plural(report.tables.length, 'table')}, ${plural(rows, 'ligne')} restaurées dans une base jetable et identiques, en ${formatDuration(report.durationMs)}.`,
  );
}

export function sauvegardeCli({ program, withDb, withUnmigratedDb, modules }: CliContext): void {
  program
    .command('backup')
    .description('Sauvegarder toute la base dans un fichier chiffré (age), ou vérifier une sauvegarde')
    .option(
      '--out <fichier>',
      'écrire la sauvegarde (ou celle que --fetch copie) dans ce fichier, qui ne doit pas exister',
    )
    .option(
      '--verify <fichier>',
      'vérifier une sauvegarde : la restaurer dans une base jetable en mémoire et comparer, table par table, lignes et sommes de contrôle',
    )
    .option('--list', 'lister les sauvegardes de la destination configurée, la plus récente d’abord')
    .option(
      '--fetch <nom>',
      'copier une sauvegarde de la destination configurée (« derniere » : la plus récente) dans le fichier --out',
    )
    .addHelpText('after', KEYS_HELP)
    .action((options: { out?: string; verify?: string; list?: boolean; fetch?: string }) =>
      explained(async () => {
        const modes = [options.verify, options.list, options.fetch].filter(Boolean).length;
        if (modes > 1 || (modes === 0 && !options.out) || (options.out && (options.verify || options.list))) {
          throw new CliError(
            'Indiquez soit --out FICHIER pour sauvegarder, soit --verify FICHIER pour vérifier, soit --list, soit --fetch NOM --out FICHIER.',
          );
        }
        if (options.verify) return verify(resolve(options.verify), loadConfig().backup, modules);
        if (options.list) return list(loadConfig());
        if (options.fetch) {
          if (!options.out) throw new CliError('--fetch demande --out FICHIER : où copier la sauvegarde.');
          return fetchBackup(loadConfig(), options.fetch, resolve(options.out));
        }
        const out = resolve(options.out!);
        await withDb(async ({ db, config }) => {
          const result = await createBackup(db, out, config.backup);
          printTables(result.tables);
          console.log(
            `Sauvegarde écrite : ${out} — ${plural(result.tables.length, 'table')}, ${plural(result.rows, 'ligne')}, ${formatBytes(result.bytes)} chiffrés, en ${formatDuration(result.durationMs)}.`,
          );
        });
      }),
    );

  program
    .command('restore')
    .description(
      'Restaurer une sauvegarde dans une base vide (en une transaction : en cas d’erreur, rien n’est restauré)',
    )
    .argument('<fichier>', 'la sauvegarde chiffrée à restaurer')
    .option('--force', 'vider d’abord la base cible si elle contient des données')
    .addHelpText('after', KEYS_HELP)
    .action((file: string, options: { force?: boolean }) =>
      explained(() =>
        // Not `withDb`: it would migrate the target to this code's latest schema, while a
        // backup goes into the schema it was made with (restore migrates the rest after).
        withUnmigratedDb(async ({ config, db }) => {
          const result = await restoreBackup(db, resolve(file), config.backup, {
            force: options.force,
            modules,
          });
          if (result.cleared.length > 0)
            console.log(`Tables vidées d’abord (--force) : ${result.cleared.join(', ')}.`);
          printTables(result.tables);
          console.log(
            `Sauvegarde restaurée : ${plural(result.tables.length, 'table')}, ${plural(result.rows, 'ligne')} depuis ${result.file} (${formatBytes(result.bytes)}, créée le ${result.createdAt} sur ${result.source}), en ${formatDuration(result.durationMs)}.`,
          );
          if (result.migrated.length > 0)
            console.log(`Migrations appliquées ensuite : ${result.migrated.join(', ')}.`);
        }),
      ),
    );
}

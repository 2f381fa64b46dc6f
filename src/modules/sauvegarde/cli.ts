import { resolve } from 'node:path';
import {
  BackupError,
  type BackupKeys,
  createBackup,
  restoreBackup,
  type VerifyReport,
  verifyBackup,
} from '../../platform/backup/index.ts';
import { CliError } from '../../platform/cli-error.ts';
import { loadConfig } from '../../platform/config.ts';
import type { CliContext, RelaisModule } from '../../platform/module.ts';

const KEYS_HELP = `
Chiffrement (age), par variables d’environnement :
  RELAIS_BACKUP_PASSPHRASE   phrase de passe (sauvegarder et restaurer), ou bien
  RELAIS_BACKUP_RECIPIENT    clé publique age1… (sauvegarder)
  RELAIS_BACKUP_IDENTITY     clé secrète AGE-SECRET-KEY-1… (restaurer, vérifier)`;

const count = new Intl.NumberFormat('fr-FR');
const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} octets`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} Ko`;
  return `${decimal.format(bytes / 1024 / 1024)} Mo`;
}

const formatDuration = (ms: number) => `${decimal.format(ms / 1000)} s`;
const plural = (n: number, word: string) => `${count.format(n)} ${word}${n > 1 ? 's' : ''}`;

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
  for (const t of tables) console.log(`  ${t.name.padEnd(28)} ${count.format(t.rows).padStart(10)}`);
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
      t.fileRows === t.restoredRows ? count.format(t.restoredRows) : `${t.fileRows}/${t.restoredRows}`;
    const status = t.ok ? 'identique' : `DIFFÉRENTE (attendu ${t.expectedChecksum.slice(0, 12)}…)`;
    console.log(
      `  ${t.name.padEnd(28)} ${count.format(t.expectedRows).padStart(10)} ${rows.padStart(10)}  ${status}`,
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
    .option('--out <fichier>', 'écrire la sauvegarde dans ce fichier (qui ne doit pas exister)')
    .option(
      '--verify <fichier>',
      'vérifier une sauvegarde : la restaurer dans une base jetable en mémoire et comparer, table par table, lignes et sommes de contrôle',
    )
    .addHelpText('after', KEYS_HELP)
    .action((options: { out?: string; verify?: string }) =>
      explained(async () => {
        if (Boolean(options.out) === Boolean(options.verify)) {
          throw new CliError(
            'Indiquez soit --out FICHIER pour sauvegarder, soit --verify FICHIER pour vérifier.',
          );
        }
        if (options.verify) return verify(resolve(options.verify), loadConfig().backup, modules);
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

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runRelaisProcess } from '../../platform/cli-process.ts';
import type { Config } from '../../platform/config.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { formatDuration } from './format.ts';
import { recordFailure, recordRun } from './runs.ts';

/**
 * The recovery procedure, as the README gives it and as the weekly drill runs it: each step is
 * a command of `relais`, run in a new, empty database (`DATABASE_URL`, or `DATA_DIR` for the
 * embedded one) from a working directory where the fetched file lands.
 */
export const RECOVERY_FILE = 'relais-a-restaurer.age';
export const RECOVERY_STEPS: readonly (readonly string[])[] = [
  ['backup', '--fetch', 'derniere', '--out', RECOVERY_FILE],
  ['restore', RECOVERY_FILE],
  ['audit', 'verify'],
];

/** The steps as typed at a terminal (what the README shows). */
export const recoveryCommands = () => RECOVERY_STEPS.map((args) => `npm run relais -- ${args.join(' ')}`);

/**
 * The settings the steps need, from this process's configuration (not only its environment:
 * a test's configuration is its own): keys, destination, journal and secret keys.
 */
function configEnv(config: Config): Record<string, string> {
  const { backup } = config;
  const destination = backup.destination;
  const s3 = destination?.kind === 's3' ? destination : undefined;
  return {
    NODE_ENV: config.env,
    LOG_LEVEL: 'warn',
    RELAIS_JOBS: 'off',
    RELAIS_BACKUP_PASSPHRASE: backup.passphrase ?? '',
    RELAIS_BACKUP_RECIPIENT: backup.recipient ?? '',
    RELAIS_BACKUP_IDENTITY: backup.identity ?? '',
    RELAIS_BACKUP_DESTINATION: !destination
      ? ''
      : destination.kind === 'directory'
        ? destination.path
        : `s3://${destination.bucket}/${destination.prefix}`,
    RELAIS_BACKUP_S3_ENDPOINT: s3?.endpoint ?? '',
    RELAIS_BACKUP_S3_REGION: s3?.region ?? '',
    RELAIS_BACKUP_S3_ACCESS_KEY: s3?.accessKeyId ?? '',
    RELAIS_BACKUP_S3_SECRET_KEY: s3?.secretAccessKey ?? '',
    RELAIS_AUDIT_KEY: config.auditKey ?? '',
    RELAIS_SECRET_KEY: config.secretKeys.current ?? '',
    RELAIS_SECRET_KEY_PREVIOUS: config.secretKeys.previous.join(','),
  };
}

type Target = { env: Record<string, string>; label: string; drop(): Promise<void> };

/**
 * A new, empty database for the drill: a PGlite directory in `workdir`, or with
 * `RELAIS_BACKUP_DRILL_DATABASE_URL` a database created on that PostgreSQL server (and dropped
 * after). Never the instance's own: the steps get `DATABASE_URL` and `DATA_DIR` from here.
 */
async function throwawayDatabase(config: Config, workdir: string): Promise<Target> {
  const server = config.backup.drill.databaseUrl;
  if (!server) {
    return {
      env: { DATABASE_URL: '', DATA_DIR: path.join(workdir, 'base') },
      label: 'une base PGlite jetable',
      drop: async () => {},
    };
  }
  const name = `relais_exercice_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: path.join(workdir, 'base') },
    label: `la base PostgreSQL jetable ${name}`,
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .at(-1) ?? '';

export type DrillReport = {
  target: string;
  file: string | undefined;
  rows: number | undefined;
  durationMs: number;
  lines: string[];
};

export class DrillError extends Error {}

/** Runs the recovery procedure into a throwaway database; throws a DrillError naming the failed step. */
export async function runDrill(config: Config): Promise<DrillReport> {
  const started = performance.now();
  const workdir = await mkdtemp(path.join(tmpdir(), 'relais-exercice-'));
  let target: Target | undefined;
  try {
    target = await throwawayDatabase(config, workdir);
    const env = { ...process.env, ...configEnv(config), ...target.env };
    const lines: string[] = [];
    let file: string | undefined;
    let rows: number | undefined;
    for (const [i, args] of RECOVERY_STEPS.entries()) {
      // Each step as its own process, as a person would type it: the environment of this
      // process (its `.env` included) with the settings above, in the working directory.
      const result = await runRelaisProcess(args, { env, cwd: workdir });
      if (result.code !== 0) {
        const said = lastLine(result.stderr) || lastLine(result.stdout) || `code de sortie ${result.code}`;
        throw new DrillError(
          `Étape ${i + 1} sur ${RECOVERY_STEPS.length} en échec (« relais ${args.join(' ')} », dans ${target.label}) : ${said}`,
        );
      }
      // What each step concludes: its lines that are not a table's rows (indented).
      lines.push(
        ...result.stdout
          .split('\n')
          .filter((l) => l.trim() && !l.startsWith(' '))
          .map((l) => l.trim()),
      );
      file ??= /\b(relais-[\dT-]+Z\.age)\b/.exec(result.stdout)?.[1];
      const restored = /Sauvegarde restaurée : [\d\s\u202f]+ tables, ([\d\s\u202f]+) lignes/.exec(
        result.stdout,
      );
      if (restored) rows = Number(restored[1]!.replace(/\D/g, ''));
    }
    return { target: target.label, file, rows, lines, durationMs: performance.now() - started };
  } finally {
    await target?.drop().catch(() => {});
    await rm(workdir, { recursive: true, force: true });
  }
}

/** The weekly drill as a job: records the run, and mails the administrators when it fails. */
export async function drillJob(ctx: ModuleContext): Promise<string> {
  const startedAt = new Date();
  if (!ctx.config.backup.destination) {
    return 'Aucune destination configurée (RELAIS_BACKUP_DESTINATION) : pas de sauvegarde à restaurer.';
  }
  let report: DrillReport;
  try {
    report = await runDrill(ctx.config);
  } catch (error) {
    throw await recordFailure(
      ctx,
      { kind: 'drill', startedAt, error },
      {
        subject: 'Relais : l’exercice de restauration des sauvegardes a échoué',
        intro:
          'L’exercice de restauration du {quand} a échoué : la dernière sauvegarde n’a pas pu être restaurée et vérifiée dans une base jetable.',
        advice: [
          'La procédure de reprise (README, « Backups ») est celle que l’exercice exécute : sans correction, une restauration réelle échouerait de même.',
          'Relancez l’exercice après correction à /admin/taches (tâche « sauvegarde.exercice »).',
        ],
      },
    );
  }
  // Without its last full stop: the pages that show a summary end the sentence themselves.
  const summary =
    `Exercice réussi en ${formatDuration(report.durationMs)} dans ${report.target} : ${report.lines.join(' ')}`.replace(
      /\.$/,
      '',
    );
  await recordRun(ctx.db, {
    kind: 'drill',
    startedAt,
    ok: true,
    file: report.file,
    rows: report.rows,
    detail: summary,
  });
  return summary;
}

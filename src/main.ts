#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { sql } from 'kysely';
import { buildApp } from './app.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './modules/comptes/index.ts';
import { modules } from './modules/index.ts';
import { sealJournal, startSealer } from './platform/audit/journal.ts';
import { useSecretKeys } from './platform/auth/secret-box.ts';
import { CliError } from './platform/cli-error.ts';
import {
  type Config,
  ConfigError,
  loadConfig,
  loadDotEnv,
  requireSecretKeyInProduction,
} from './platform/config.ts';
import { collectContributions } from './platform/contributions.ts';
import { listenForChanges } from './platform/db/changes.ts';
import { type DatabaseHandle, openDatabase } from './platform/db/database.ts';
import { MigrationError, migrateToLatest } from './platform/db/migrate.ts';
import { type Scheduler, startScheduler } from './platform/jobs/index.ts';
import { createLogger } from './platform/logger.ts';
import type { CliContext, ModuleContext } from './platform/module.ts';
import { getOrCreateSetting } from './platform/settings.ts';
import { unsafeSettings } from './platform/startup-checks.ts';

/** What the caller of `runCli` may change: only how the database is opened. */
export type CliOptions = {
  /**
   * Opens the database instead of the configured one (tests: a database already open in the
   * process). The handle it returns is closed when the command ends.
   */
  openDatabase?: (config: Config) => Promise<DatabaseHandle>;
};

/** Opens the configured database; `withReplica`: and its read replica (the server only). */
async function open(config: Config, options: CliOptions, withReplica = false): Promise<DatabaseHandle> {
  requireSecretKeyInProduction(config);
  const handle = options.openDatabase
    ? await options.openDatabase(config)
    : config.databaseUrl
      ? await openDatabase({
          databaseUrl: config.databaseUrl,
          ...(withReplica &&
            config.databaseReplica && {
              replicaUrl: config.databaseReplica.url,
              replicaMaxLagMs: config.databaseReplica.maxLagMs,
            }),
        })
      : await openDatabase({ dataDir: config.dataDir });
  useSecretKeys(handle.db, config.secretKeys);
  return handle;
}

/** Seeds every module's demo data, once per database. Returns whether it ran now. */
export async function seedDemoOnce(ctx: ModuleContext, force = false): Promise<boolean> {
  const existing = await ctx.db
    .selectFrom('platform_setting')
    .select('value')
    .where('key', '=', 'demo_seeded_at')
    .executeTakeFirst();
  if (existing && !force) return false;
  for (const mod of modules) await mod.seedDemo?.(ctx);
  await getOrCreateSetting(ctx.db, 'demo_seeded_at', () => new Date().toISOString());
  // The planner's statistics, for the rows just written: without them it plans every query
  // as if the tables were empty (the embedded database has no autovacuum to gather them).
  await sql`analyze`.execute(ctx.db);
  return true;
}

async function serve(config: Config, options: { demo?: boolean }, cliOptions: CliOptions): Promise<void> {
  const logger = createLogger(config.logLevel);
  const handle = await open(config, cliOptions, true);
  const applied = await migrateToLatest(handle.db, modules);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  const ctx = { db: handle.db, config };
  if (options.demo && (await seedDemoOnce(ctx))) logger.info('demo data seeded');

  const app = await buildApp({ config, db: handle.db, readDb: handle.readDb, dbKind: handle.kind, logger });
  // Other processes on the same server announce their changes to what this one keeps in memory.
  const changes =
    handle.kind === 'postgres' && config.databaseUrl
      ? await listenForChanges(handle.db, config.databaseUrl, logger)
      : undefined;
  const contributions = collectContributions(modules);
  let scheduler: Scheduler | undefined;
  if (config.jobs) {
    try {
      scheduler = await startScheduler({
        ctx,
        database: handle.pglite ? { pglite: handle.pglite } : { databaseUrl: config.databaseUrl! },
        jobs: [...contributions.jobs],
        contributions,
        logger,
        intervals: { signalDelay: config.signalDelay },
      });
    } catch (error) {
      await app.close();
      await changes?.stop();
      await handle.close();
      throw error;
    }
  } else {
    logger.info('scheduled jobs are off (RELAIS_JOBS=off)');
  }
  const stopSealer = startSealer(
    handle.db,
    (error) => logger.error({ err: error }, 'journal sealing failed'),
    { key: config.auditKey },
  );
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    // First, while the database is open: a job in progress finishes, or is cut short.
    await scheduler?.stop();
    await app.close();
    await changes?.stop();
    await stopSealer();
    await sealJournal(handle.db, { key: config.auditKey });
    await handle.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const unsafe = unsafeSettings(config);
  if (unsafe.length) {
    logger.warn({ unsafe }, 'unsafe settings');
    console.warn(
      ['\nAttention, réglages à revoir (voir SECURITY.md) :', ...unsafe.map((u) => `  - ${u}`)].join('\n'),
    );
  }
  const where = handle.kind === 'pglite' ? `PGlite embarqué dans ${config.dataDir}` : 'serveur PostgreSQL';
  const banner = [`\nRelais est prêt : ${config.publicUrl}  (base : ${where})`];
  if (options.demo) {
    banner.push('\nMode démonstration. Comptes de démonstration (mot de passe commun) :');
    for (const a of DEMO_ACCOUNTS)
      banner.push(`  ${a.role.padEnd(13)} ${a.email.padEnd(34)} clé TOTP ${a.totpSecret}`);
    banner.push(
      `  mot de passe : ${DEMO_PASSWORD}`,
      '  Ajoutez la clé TOTP du compte à une application d’authentification (ou : oathtool --totp -b CLÉ).',
      `Se connecter : ${config.publicUrl}/connexion\n`,
    );
  }
  // One write, so that whoever reads the output sees the whole banner at once.
  console.log(banner.join('\n'));
}

function buildProgram(options: CliOptions): Command {
  const program = new Command('relais')
    .description('Relais — plateforme d’inclusion numérique des OPSN')
    .showHelpAfterError('(ajoutez --help pour l’aide)')
    // Through console, like every command's own output, so that one capture sees it all.
    .configureOutput({
      writeOut: (text) => console.log(text.replace(/\n$/, '')),
      writeErr: (text) => console.error(text.replace(/\n$/, '')),
    })
    .exitOverride();

  let config: Config | undefined;
  const getConfig = () => {
    config ??= loadConfig();
    return config;
  };

  const withUnmigratedDb: CliContext['withUnmigratedDb'] = async (work) => {
    const cfg = getConfig();
    const handle = await open(cfg, options);
    try {
      return await work({ db: handle.db, config: cfg });
    } finally {
      await handle.close();
    }
  };
  const withDb: CliContext['withDb'] = (work) =>
    withUnmigratedDb(async (ctx) => {
      await migrateToLatest(ctx.db, modules);
      return work(ctx);
    });

  program
    .command('serve')
    .description('Démarrer le serveur web (applique les migrations en attente)')
    .option('--demo', 'charger les données de démonstration au premier démarrage')
    .action((flags: { demo?: boolean }) => serve(getConfig(), flags, options));

  program
    .command('migrate')
    .description('Appliquer les migrations en attente')
    .action(async () => {
      const cfg = getConfig();
      const handle = await open(cfg, options);
      try {
        const applied = await migrateToLatest(handle.db, modules);
        console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Base à jour.');
      } finally {
        await handle.close();
      }
    });

  program
    .command('seed')
    .description('Charger les données de démonstration (OPSN, huit communes, comptes)')
    .option('--force', 'recharger même si elles l’ont déjà été')
    .action((flags: { force?: boolean }) =>
      withDb(async (ctx) => {
        const ran = await seedDemoOnce(ctx, flags.force);
        console.log(
          ran ? 'Données de démonstration chargées.' : 'Déjà chargées (utilisez --force pour recommencer).',
        );
      }),
    );

  const contributions = collectContributions(modules);
  for (const mod of modules) mod.cli?.({ program, withDb, withUnmigratedDb, contributions, modules });
  return program;
}

export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  try {
    loadDotEnv();
    await buildProgram(options).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit with 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof CliError || error instanceof MigrationError) {
      console.error(`Erreur : ${error.message}`);
      return error instanceof ConfigError ? 2 : 1;
    }
    console.error(error);
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  // `serve` keeps running; every other command ends here.
  if (code !== 0 || !process.argv.slice(2).includes('serve')) process.exitCode = code;
}

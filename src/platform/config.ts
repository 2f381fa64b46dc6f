import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { DestinationSetting } from './backup/destination.ts';
import { DEFAULT_RETENTION, parseRetention, type RetentionRule } from './backup/retention.ts';
import { SIGNAL_DELAY_SECONDS } from './jobs/signals.ts';

const PORT_RANGE = 'doit être entre 1 et 65535 / must be between 1 and 65535';

/** An identity provider speaks TLS; plain http is allowed only on this machine (local tests). */
function isSecureOrLoopback(url: string): boolean {
  const parsed = URL.parse(url);
  if (!parsed) return true; // z.url() reports it
  const { protocol, hostname } = parsed;
  return (
    protocol === 'https:' || (protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(hostname))
  );
}

/** Names of address ranges that Fastify's `trustProxy` (proxy-addr) understands. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `10.0.0.2`, `10.0.0.0/8`, `::1`, `fd00::/8` or a range name. */
function isProxyAddress(value: string): boolean {
  if (PROXY_RANGE_NAMES.includes(value)) return true;
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const TRUST_PROXY_MESSAGE =
  'doit valoir false ou les adresses des proxys devant Relais, séparées par des virgules (10.0.0.2, 10.0.0.0/8, loopback) ; « true » ferait confiance à toute adresse X-Forwarded-For / must be false or the addresses of the proxies in front of Relais (true would trust any X-Forwarded-For)';

/**
 * Which `X-Forwarded-For` hops to believe: none, or those added by the listed proxies, read
 * from the right. Never every hop (the client writes the first ones), nor a hop count (a client
 * reaching Relais directly could write them all).
 */
const trustProxySetting = z
  .string()
  .trim()
  .transform((value, ctx): false | string[] => {
    if (value === 'false') return false;
    const addresses = value.split(',').map((a) => a.trim());
    if (addresses.every(isProxyAddress)) return addresses;
    ctx.addIssue({ code: 'custom', message: TRUST_PROXY_MESSAGE });
    return z.NEVER;
  });

/** The SMS provider's variables when `SMS_PROVIDER=http`: without them no SMS could leave or be trusted. */
const SMS_HTTP_VARIABLES = ['SMS_PROVIDER_URL', 'SMS_PROVIDER_KEY', 'SMS_CALLBACK_SECRET'] as const;

function requireSmsProviderSettings(values: Partial<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  if (values.SMS_PROVIDER !== 'http') return;
  for (const name of SMS_HTTP_VARIABLES.filter((n) => values[n] === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message:
        'manquante : SMS_PROVIDER=http demande SMS_PROVIDER_URL, SMS_PROVIDER_KEY et SMS_CALLBACK_SECRET / missing: SMS_PROVIDER=http needs SMS_PROVIDER_URL, SMS_PROVIDER_KEY and SMS_CALLBACK_SECRET',
    });
  }
}

/** A tile template names each tile by {z}, {x} and {y}; only a leading {s}. may vary in its host. */
function isTileTemplate(url: string): boolean {
  const parsed = URL.parse(url);
  if (!parsed) return true; // z.url() reports it
  return ['{z}', '{x}', '{y}'].every((p) => url.includes(p)) && /^(\{s\}\.)?[^{}]+$/.test(parsed.host);
}

const PROCONNECT_VARIABLES = [
  'PROCONNECT_ISSUER',
  'PROCONNECT_CLIENT_ID',
  'PROCONNECT_CLIENT_SECRET',
] as const;

/** ProConnect needs its three variables together: a partial setup is a mistake, not "off". */
function requireAllProConnectOrNone(values: Partial<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  const missing = PROCONNECT_VARIABLES.filter((name) => values[name] === undefined);
  if (missing.length === 0 || missing.length === PROCONNECT_VARIABLES.length) return;
  for (const name of missing) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message:
        'manquante : PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET vont ensemble / missing: the three PROCONNECT_* variables go together',
    });
  }
}

/** A directory (resolved from the working directory) or `s3://bucket/prefix`. */
const backupDestination = z
  .string()
  .trim()
  .transform(
    (value, ctx): { kind: 'directory'; path: string } | { kind: 's3'; bucket: string; prefix: string } => {
      if (!value.startsWith('s3://')) return { kind: 'directory', path: path.resolve(value) };
      const [bucket = '', ...rest] = value.slice('s3://'.length).split('/');
      if (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        const prefix = rest.filter(Boolean).join('/');
        return { kind: 's3', bucket, prefix: prefix ? `${prefix}/` : '' };
      }
      ctx.addIssue({
        code: 'custom',
        message:
          'doit être un dossier (/srv/sauvegardes) ou un seau S3 (s3://nom-du-seau/prefixe) / must be a directory or s3://bucket/prefix',
      });
      return z.NEVER;
    },
  );

/** Five cron fields; the scheduler checks the expression itself when it starts. */
const cronSchedule = z
  .string()
  .trim()
  .regex(
    /^\S+( +\S+){4}$/,
    'doit être une expression cron à cinq champs (15 2 * * *) / must be a five-field cron expression',
  );

const SECRET_KEY_LENGTH = 'doit faire au moins 32 caractères / must be at least 32 characters';

/** Every setting Relais reads from the environment, with its French/English explanation. */
const schema = z
  .object({
    PORT: z
      .string()
      .trim()
      .regex(/^\d+$/, 'doit être un nombre entier / must be an integer')
      .transform(Number)
      .pipe(z.number().min(1, PORT_RANGE).max(65535, PORT_RANGE))
      .default(3000),
    HOST: z.string().min(1, 'ne doit pas être vide / must not be empty').default('127.0.0.1'),
    DATA_DIR: z.string().min(1, 'ne doit pas être vide / must not be empty').default('./data'),
    DATABASE_URL: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'doit être une URL postgres://… ou postgresql://… / must be a postgres:// URL',
      )
      .optional(),
    DATABASE_REPLICA_URL: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'doit être une URL postgres://… ou postgresql://… / must be a postgres:// URL',
      )
      .optional(),
    DATABASE_REPLICA_MAX_LAG: z
      .string()
      .trim()
      .regex(/^\d+$/, 'doit être un nombre entier de secondes / must be an integer (seconds)')
      .transform(Number)
      .default(10),
    PUBLIC_URL: z
      .url({ error: 'doit être une URL complète (https://…) / must be an absolute URL' })
      .optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'doit valoir fatal, error, warn, info, debug, trace ou silent / must be a pino level',
      })
      .default('info'),
    TRUST_PROXY: trustProxySetting.default(false),
    API_RATE_LIMIT: z
      .string()
      .trim()
      .regex(/^\d+$/, 'doit être un nombre entier / must be an integer')
      .transform(Number)
      .pipe(z.number().min(1, 'doit valoir au moins 1 / must be at least 1'))
      .default(600),
    RELAIS_SECRET_KEY: z.string().min(32, SECRET_KEY_LENGTH).optional(),
    RELAIS_SECRET_KEY_PREVIOUS: z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()))
      .pipe(z.array(z.string().min(32, SECRET_KEY_LENGTH)))
      .optional(),
    COOKIE_SECRET: z
      .string()
      .min(32, 'doit faire au moins 32 caractères / must be at least 32 characters')
      .optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/\S+$/, 'doit être une URL smtp://… ou smtps://… / must be an smtp:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Relais <ne-pas-repondre@relais.invalid>'),
    METRICS_TOKEN: z
      .string()
      .min(16, 'doit faire au moins 16 caractères / must be at least 16 characters')
      .optional(),
    RELAIS_BACKUP_PASSPHRASE: z
      .string()
      .min(12, 'doit faire au moins 12 caractères / must be at least 12 characters')
      .optional(),
    RELAIS_BACKUP_RECIPIENT: z
      .string()
      .regex(/^age1[0-9a-z]+$/, 'doit être une clé publique age (age1…) / must be an age public key')
      .optional(),
    RELAIS_BACKUP_IDENTITY: z
      .string()
      .regex(
        /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/,
        'doit être une clé secrète age (AGE-SECRET-KEY-1…) / must be an age secret key',
      )
      .optional(),
    RELAIS_BACKUP_DESTINATION: backupDestination.optional(),
    RELAIS_BACKUP_S3_ENDPOINT: z
      .url({ error: 'doit être une URL complète (https://…) / must be an absolute URL' })
      .refine(isSecureOrLoopback, 'doit commencer par https:// / must be an https:// URL')
      .optional(),
    RELAIS_BACKUP_S3_REGION: z.string().trim().min(1).default('us-east-1'),
    RELAIS_BACKUP_S3_ACCESS_KEY: z.string().trim().min(1).optional(),
    RELAIS_BACKUP_S3_SECRET_KEY: z.string().trim().min(1).optional(),
    RELAIS_BACKUP_SCHEDULE: cronSchedule.default('15 2 * * *'),
    RELAIS_BACKUP_RETENTION: z
      .string()
      .transform((value, ctx): RetentionRule => {
        const rule = parseRetention(value);
        if (!('error' in rule)) return rule;
        ctx.addIssue({ code: 'custom', message: rule.error });
        return z.NEVER;
      })
      .prefault(DEFAULT_RETENTION),
    RELAIS_BACKUP_DRILL_SCHEDULE: cronSchedule.default('30 5 * * 0'),
    RELAIS_BACKUP_DRILL_DATABASE_URL: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'doit être une URL postgres://… ou postgresql://… / must be a postgres:// URL',
      )
      .optional(),
    MAP_TILES_URL: z
      .url({
        error: 'doit être une URL complète (https://…/{z}/{x}/{y}.png) / must be an absolute URL',
      })
      .refine(isSecureOrLoopback, 'doit commencer par https:// / must be an https:// URL')
      .refine(
        isTileTemplate,
        'doit contenir {z}, {x} et {y} (et {s} seulement en tête du nom d’hôte) / must contain {z}, {x} and {y} ({s} only as the first label of the host)',
      )
      .default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
    MAP_ATTRIBUTION: z
      .string()
      .trim()
      .min(1, 'ne doit pas être vide / must not be empty')
      .max(300, 'doit faire au plus 300 caractères / must be at most 300 characters')
      .default('© les contributeurs d’OpenStreetMap'),
    RELAIS_JOBS: z
      .enum(['on', 'off'], { error: 'doit valoir on ou off / must be on or off' })
      .default('on')
      .transform((v) => v === 'on'),
    RELAIS_SIGNAL_DELAY: z
      .string()
      .trim()
      .regex(/^\d+$/, 'doit être un nombre entier de secondes / must be an integer number of seconds')
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, 'doit être entre 1 et 3600 secondes / must be between 1 and 3600 seconds')
          .max(3600, 'doit être entre 1 et 3600 secondes / must be between 1 and 3600 seconds'),
      )
      .default(SIGNAL_DELAY_SECONDS),
    NODE_ENV: z
      .enum(['development', 'production', 'test'], {
        error: 'doit valoir development, production ou test / must be development, production or test',
      })
      .default('development'),
    PROCONNECT_ISSUER: z
      .url({ error: 'doit être une URL complète (https://…) / must be an absolute URL' })
      .refine(isSecureOrLoopback, 'doit commencer par https:// / must be an https:// URL')
      .optional(),
    PROCONNECT_CLIENT_ID: z.string().min(1, 'ne doit pas être vide / must not be empty').optional(),
    PROCONNECT_CLIENT_SECRET: z.string().min(1, 'ne doit pas être vide / must not be empty').optional(),
    SMS_PROVIDER: z
      .enum(['dev', 'http'], { error: 'doit valoir dev ou http / must be dev or http' })
      .default('dev'),
    SMS_PROVIDER_URL: z
      .url({ error: 'doit être une URL complète (https://…) / must be an absolute URL' })
      .refine(isSecureOrLoopback, 'doit commencer par https:// / must be an https:// URL')
      .optional(),
    SMS_PROVIDER_KEY: z.string().trim().min(1, 'ne doit pas être vide / must not be empty').optional(),
    RELAIS_AUDIT_KEY: z
      .string()
      .min(32, 'doit faire au moins 32 caractères / must be at least 32 characters')
      .optional(),
    SMS_CALLBACK_SECRET: z
      .string()
      .min(16, 'doit faire au moins 16 caractères / must be at least 16 characters')
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.DATABASE_REPLICA_URL && !v.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_REPLICA_URL'],
        message:
          'demande DATABASE_URL : une réplique lit pour un serveur PostgreSQL principal / needs DATABASE_URL',
      });
  })
  .superRefine(requireAllProConnectOrNone)
  .superRefine(requireSmsProviderSettings);

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** A streaming replica of `databaseUrl` for the heavy read-only pages, and the lag it may have. */
  databaseReplica: { url: string; maxLagMs: number } | undefined;
  publicUrl: string;
  logLevel: string;
  /** Fastify's `trustProxy`: false, or the addresses of the proxies whose `X-Forwarded-For` counts. */
  trustProxy: false | string[];
  cookieSecret: string | undefined;
  /** Requests a minute to `/api/` per address, and per bearer token. */
  apiRateLimit: number;
  /** The key that seals stored secrets, and older ones that still open them (see secret-box.ts). */
  secretKeys: { current: string | undefined; previous: string[] };
  metricsToken: string | undefined;
  /** Signs the audit journal's entries (`RELAIS_AUDIT_KEY`); kept outside the database. */
  auditKey: string | undefined;
  /**
   * Backups (`relais backup`): a passphrase, or a public key to encrypt and its secret key to
   * restore; where the scheduled backups go, when, how many are kept, and the restore drill.
   */
  backup: {
    passphrase: string | undefined;
    recipient: string | undefined;
    identity: string | undefined;
    destination: DestinationSetting | undefined;
    schedule: string;
    retention: RetentionRule;
    drill: { schedule: string; databaseUrl: string | undefined };
  };
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The map tiles' URL template (Leaflet's `{z}/{x}/{y}`), and the credit maps show for them. */
  mapTilesUrl: string;
  mapAttribution: string;
  env: 'development' | 'production' | 'test';
  /** Whether `serve` runs the scheduled jobs (`RELAIS_JOBS`); `jobs run` works either way. */
  jobs: boolean;
  /**
   * How long, in seconds, the jobs that follow a change (the open data's publication after an
   * import) wait after its first occurrence, so that many changes make one run (`RELAIS_SIGNAL_DELAY`).
   */
  signalDelay: number;
  /** ProConnect sign-in, when its three variables are set. */
  proconnect: { issuer: string; clientId: string; clientSecret: string } | undefined;
  /**
   * The SMS of remote mandate consent: `dev` keeps them in an outbox (`/admin/sms`), `http`
   * sends them through the provider at `url` with the bearer `key`. `callbackSecret` checks
   * the provider's signed callbacks (`SMS_CALLBACK_SECRET`, never a default); without it every
   * callback is refused.
   */
  sms: {
    provider: 'dev' | 'http';
    url: string | undefined;
    key: string | undefined;
    callbackSecret: string | undefined;
  };
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration invalide / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} : ${issue.message} (valeur reçue / got: « ${String(env[name])} »)`;
    });
    throw new ConfigError(problems);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    host: v.HOST,
    dataDir: path.resolve(v.DATA_DIR),
    databaseUrl: v.DATABASE_URL,
    databaseReplica: v.DATABASE_REPLICA_URL
      ? { url: v.DATABASE_REPLICA_URL, maxLagMs: v.DATABASE_REPLICA_MAX_LAG * 1000 }
      : undefined,
    publicUrl: (v.PUBLIC_URL ?? `http://${v.HOST}:${v.PORT}`).replace(/\/$/, ''),
    logLevel: v.LOG_LEVEL,
    trustProxy: v.TRUST_PROXY,
    cookieSecret: v.COOKIE_SECRET,
    apiRateLimit: v.API_RATE_LIMIT,
    secretKeys: { current: v.RELAIS_SECRET_KEY, previous: v.RELAIS_SECRET_KEY_PREVIOUS ?? [] },
    metricsToken: v.METRICS_TOKEN,
    auditKey: v.RELAIS_AUDIT_KEY,
    backup: {
      passphrase: v.RELAIS_BACKUP_PASSPHRASE,
      recipient: v.RELAIS_BACKUP_RECIPIENT,
      identity: v.RELAIS_BACKUP_IDENTITY,
      destination:
        v.RELAIS_BACKUP_DESTINATION?.kind === 's3'
          ? {
              ...v.RELAIS_BACKUP_DESTINATION,
              endpoint: v.RELAIS_BACKUP_S3_ENDPOINT,
              region: v.RELAIS_BACKUP_S3_REGION,
              accessKeyId: v.RELAIS_BACKUP_S3_ACCESS_KEY,
              secretAccessKey: v.RELAIS_BACKUP_S3_SECRET_KEY,
            }
          : v.RELAIS_BACKUP_DESTINATION,
      schedule: v.RELAIS_BACKUP_SCHEDULE,
      retention: v.RELAIS_BACKUP_RETENTION,
      drill: { schedule: v.RELAIS_BACKUP_DRILL_SCHEDULE, databaseUrl: v.RELAIS_BACKUP_DRILL_DATABASE_URL },
    },
    smtpUrl: v.SMTP_URL,
    mailFrom: v.MAIL_FROM,
    mapTilesUrl: v.MAP_TILES_URL,
    mapAttribution: v.MAP_ATTRIBUTION,
    env: v.NODE_ENV,
    jobs: v.RELAIS_JOBS,
    signalDelay: v.RELAIS_SIGNAL_DELAY,
    proconnect:
      v.PROCONNECT_ISSUER && v.PROCONNECT_CLIENT_ID && v.PROCONNECT_CLIENT_SECRET
        ? {
            issuer: v.PROCONNECT_ISSUER,
            clientId: v.PROCONNECT_CLIENT_ID,
            clientSecret: v.PROCONNECT_CLIENT_SECRET,
          }
        : undefined,
    sms: {
      provider: v.SMS_PROVIDER,
      url: v.SMS_PROVIDER_URL,
      key: v.SMS_PROVIDER_KEY,
      // Never a built-in value: without a secret of its own, the server refuses every callback.
      callbackSecret: v.SMS_CALLBACK_SECRET,
    },
  };
}

/**
 * Checked before a database is opened (server and commands): a production instance must
 * seal its stored secrets (TOTP seeds, cookie secret) with a key of its own.
 */
export function requireSecretKeyInProduction(config: Config): void {
  if (config.env !== 'production' || config.secretKeys.current) return;
  throw new ConfigError([
    'RELAIS_SECRET_KEY : manquante, obligatoire en production (par exemple : openssl rand -base64 32) / missing: required in production',
  ]);
}

/** Loads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const PORT_RANGE = 'doit être entre 1 et 65535 / must be between 1 and 65535';

/** Every setting Relais reads from the environment, with its French/English explanation. */
const schema = z.object({
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
  PUBLIC_URL: z.url({ error: 'doit être une URL complète (https://…) / must be an absolute URL' }).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'doit valoir fatal, error, warn, info, debug, trace ou silent / must be a pino level',
    })
    .default('info'),
  TRUST_PROXY: z
    .enum(['true', 'false'], { error: 'doit valoir true ou false / must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  COOKIE_SECRET: z
    .string()
    .min(32, 'doit faire au moins 32 caractères / must be at least 32 characters')
    .optional(),
  METRICS_TOKEN: z
    .string()
    .min(16, 'doit faire au moins 16 caractères / must be at least 16 characters')
    .optional(),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'doit valoir development, production ou test / must be development, production or test',
    })
    .default('development'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  logLevel: string;
  trustProxy: boolean;
  cookieSecret: string | undefined;
  metricsToken: string | undefined;
  env: 'development' | 'production' | 'test';
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
    publicUrl: (v.PUBLIC_URL ?? `http://${v.HOST}:${v.PORT}`).replace(/\/$/, ''),
    logLevel: v.LOG_LEVEL,
    trustProxy: v.TRUST_PROXY,
    cookieSecret: v.COOKIE_SECRET,
    metricsToken: v.METRICS_TOKEN,
    env: v.NODE_ENV,
  };
}

/** Loads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** The documented variables, for `--help` and the README. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { buildApp } from '../../src/app.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { RelaisModule } from '../../src/platform/module.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/** The demo OPSN and its members, in the order the pages list them. */
export const DEMO_OPSN_NAME = 'Syndicat mixte Numérique Rhône-Loire';
export const DEMO_MEMBER_NAMES = [
  'Bron',
  'Caluire-et-Cuire',
  'Rillieux-la-Pape',
  'Roanne',
  'Saint-Chamond',
  'Vaulx-en-Velin',
  'Vénissieux',
  'Ville de Villeurbanne',
];

export const testConfig = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  // The tests sign SMS callbacks with it; a server has no secret unless one is configured.
  SMS_CALLBACK_SECRET: 'secret-des-rappels-sms-des-tests',
});

/** The database behind each test app, for what a test client must reset (TOTP replay guard). */
const databases = new WeakMap<FastifyInstance, TestDatabase>();

/** The current TOTP code of a demo (or test) account. */
export async function totpCode(secret: string): Promise<string> {
  return generate({ secret });
}

export type TestApp = {
  app: FastifyInstance;
  db: TestDatabase;
  close(): Promise<void>;
};

/**
 * The real app on a fresh test database, optionally with the demo data and another
 * configuration than `testConfig`.
 */
export async function createTestApp(
  options: {
    demo?: boolean;
    extend?: (app: FastifyInstance) => void;
    config?: Config;
    /** The modules to wire, when a test changes what one contributes (default: all). */
    modules?: RelaisModule[];
  } = {},
): Promise<TestApp> {
  const config = options.config ?? testConfig;
  const db = await createTestDatabase({ demo: options.demo ?? false });
  const app = await buildApp({
    config,
    db: db.db,
    dbKind: db.kind,
    logger: createLogger('silent'),
    ...(options.modules ? { modules: options.modules } : {}),
  });
  options.extend?.(app);
  await app.ready();
  databases.set(app, db);
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A browser-like client over `app.inject`: keeps cookies, and fills in the CSRF token of
 * the last page it read, as a person submitting a form would.
 */
export class Client {
  cookies = new Map<string, string>();
  lastCsrf: string | undefined;

  /** `ip`: the address the requests come from (rate limits count per address). */
  constructor(
    private readonly app: FastifyInstance,
    private readonly options: { ip?: string } = {},
  ) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as {
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const csrf = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (csrf) this.lastCsrf = csrf[1];
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.remember(response);
    return response;
  }

  /** Posts a form; `_csrf` comes from the last page read unless the fields set it. */
  /** Posts a form; a list value is sent as repeated fields (checkboxes). */
  async post(url: string, fields: Record<string, string | string[]>) {
    const pairs = Object.entries({ _csrf: this.lastCsrf ?? '', ...fields }).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => [name, v]),
    );
    const payload = new URLSearchParams(pairs).toString();
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.options.ip,
      payload,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(response);
    return response;
  }

  /** Posts a multipart form (file uploads). */
  async postMultipart(
    url: string,
    fields: Record<string, string>,
    file?: { name: string; bytes: Buffer; filename: string },
  ) {
    const form = new FormData();
    form.set('_csrf', this.lastCsrf ?? '');
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    if (file) form.set(file.name, new Blob([new Uint8Array(file.bytes)]), file.filename);
    const request = new Request('http://x/', { method: 'POST', body: form });
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.options.ip,
      payload: Buffer.from(await request.arrayBuffer()),
      headers: { cookie: this.cookieHeader(), 'content-type': request.headers.get('content-type')! },
    });
    this.remember(response);
    return response;
  }

  /**
   * Signs in through the real forms: password, then the TOTP code of the account (a demo
   * account's secret unless one is given). Tests sign in many times within one 30-second
   * step, so the replay guard is reset first: its own test lives in comptes.test.ts.
   */
  async signIn(email: string, password = DEMO_PASSWORD, totpSecret?: string) {
    await this.get('/connexion');
    const first = await this.post('/connexion', { email, password });
    if (first.statusCode !== 303 || first.headers.location !== '/connexion/code') return first;
    const secret = totpSecret ?? DEMO_ACCOUNTS.find((a) => a.email === email)?.totpSecret;
    if (!secret) throw new Error(`No TOTP secret known for ${email}`);
    await databases
      .get(this.app)
      ?.db.updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', email)
      .execute();
    await this.get('/connexion/code');
    return this.post('/connexion/code', { code: await totpCode(secret) });
  }
}

/** The text of the page's `<h1>`, tags stripped. */
export function h1(html: string): string | undefined {
  return /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
}

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { Client, createTestApp, h1, type TestApp, testConfig, totpCode } from '../../../test/helpers/app.ts';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { CALLBACK_PATH, redirectUri } from './routes.tsx';

/**
 * ProConnect against a real OpenID provider (oidc-provider) on 127.0.0.1: the browser's
 * trip through the provider is driven with fetch and its cookies; the provider signs in
 * whichever account the test names, without a login form.
 */

type ProConnectClaims = {
  given_name: string;
  usual_name: string;
  email: string;
  email_verified?: boolean;
  uid: string;
  siret: string;
};

const CLIENT_ID = 'relais-test';
const CLIENT_SECRET = 'un-secret-de-test-assez-long-pour-ProConnect';

type TestProvider = {
  issuer: string;
  /** The people the provider knows, by `sub`. */
  accounts: Map<string, ProConnectClaims>;
  /** Who signs in at the next login interaction (undefined: the person cancels). */
  nextLogin: string | undefined;
  close(): Promise<void>;
};

function providerConfiguration(provider: () => TestProvider, redirect: string): Configuration {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirect],
        token_endpoint_auth_method: 'client_secret_post',
        // As ProConnect does: a signed userinfo answer.
        userinfo_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [{ ...jwk, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['une-cle-de-cookie-de-test'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      uid: ['uid'],
      siret: ['siret'],
    },
    features: { devInteractions: { enabled: false }, jwtUserinfo: { enabled: true } },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
    async findAccount(_ctx, sub) {
      const claims = provider().accounts.get(sub);
      return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    // Consent is implicit: grant what Relais asks for, so that only the login interaction remains.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope(String(ctx.oidc.params!.scope));
      await grant.save();
      return grant;
    },
  };
}

async function startProvider(redirect: string, port = 0): Promise<TestProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const testProvider: TestProvider = {
    issuer,
    accounts: new Map(),
    nextLogin: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(
    issuer,
    providerConfiguration(() => testProvider, redirect),
  );
  const callback = provider.callback();
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    const login = testProvider.nextLogin;
    const result = login
      ? { login: { accountId: login } }
      : { error: 'access_denied', error_description: 'Connexion annulée' };
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false }).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  };
  return testProvider;
}

/** Follows the provider's redirects as a browser would, with its cookies, back to Relais. */
async function throughProvider(authorizationUrl: string, returnTo: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    if (url.href.startsWith(returnTo)) return url.pathname + url.search;
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}

const [ADMIN, COORDINATION] = DEMO_ACCOUNTS;
const pivot = (email: string, more: Partial<ProConnectClaims> = {}): ProConnectClaims => ({
  given_name: 'Alice',
  usual_name: 'Martin',
  email,
  email_verified: true,
  uid: '12345',
  siret: '21690266800013',
  ...more,
});

describe('ProConnect sign-in', () => {
  let t: TestApp;
  let provider: TestProvider;
  const callbackPrefix = redirectUri(testConfig);

  before(async () => {
    provider = await startProvider(callbackPrefix);
    t = await createTestApp({
      demo: true,
      config: {
        ...testConfig,
        proconnect: { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      },
    });
  });
  after(async () => {
    await t.close();
    await provider.close();
  });

  /** Starts at Relais as `sub`, goes through the provider, and stops before returning. */
  async function untilReturn(client: Client, sub: string | undefined): Promise<string> {
    provider.nextLogin = sub;
    const start = await client.get('/connexion/proconnect');
    assert.equal(start.statusCode, 302);
    return throughProvider(start.headers.location as string, callbackPrefix);
  }

  async function signIn(sub: string | undefined) {
    const client = new Client(t.app);
    return client.get(await untilReturn(client, sub));
  }

  const userId = async (email: string) =>
    (await t.db.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow())
      .id;
  const identitiesOf = async (email: string) =>
    t.db.db
      .selectFrom('proconnect_identity')
      .selectAll()
      .where('user_id', '=', await userId(email))
      .execute();
  const journal = (action: string) =>
    t.db.db
      .selectFrom('audit_event')
      .select(['subject_id', 'details'])
      .where('action', '=', action)
      .execute();
  const failures = async (reason: string) =>
    (await journal('auth.proconnect.failure')).filter((e) => e.details.reason === reason);

  /** The first factor is proved: the sign-in goes on (second factor, or the session). */
  function assertSignInContinues(response: { statusCode: number; headers: Record<string, unknown> }) {
    assert.equal(response.statusCode, 303);
    assert.doesNotMatch(String(response.headers.location), /proconnect/);
  }

  test('the sign-in page offers ProConnect with a plain link', async () => {
    const page = await new Client(t.app).get('/connexion');
    assert.match(page.body, /<a class="button button--secondary" href="\/connexion\/proconnect">/);
    assert.match(page.body, /S’identifier avec ProConnect/);
  });

  test('the request carries state, nonce and a PKCE S256 challenge, and a short-lived cookie', async () => {
    const start = await new Client(t.app).get('/connexion/proconnect');
    const url = new URL(start.headers.location as string);
    assert.equal(url.origin, provider.issuer);
    for (const name of ['state', 'nonce', 'code_challenge']) assert.ok(url.searchParams.get(name), name);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('redirect_uri'), callbackPrefix);
    assert.match(url.searchParams.get('scope') ?? '', /openid.*email.*given_name.*usual_name.*uid.*siret/);
    const cookie = String(start.headers['set-cookie']);
    assert.match(cookie, /relais_proconnect=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Max-Age=600/);
  });

  test('the first sign-in links the invited account by email, later ones find it by sub', async () => {
    provider.accounts.set('agent-admin', pivot(ADMIN.email.toUpperCase()));
    assertSignInContinues(await signIn('agent-admin'));

    const [identity, ...others] = await identitiesOf(ADMIN.email);
    assert.equal(others.length, 0);
    assert.equal(identity?.sub, 'agent-admin');
    assert.equal(identity?.uid, '12345');
    assert.equal(identity?.siret, '21690266800013');
    const links = await journal('auth.proconnect.link');
    assert.deepEqual(
      links.map((e) => e.subject_id),
      [await userId(ADMIN.email)],
    );
    assert.ok(!JSON.stringify(links).includes('eyJ'), 'no token in the journal');

    // Another email at the provider: only the sub can lead to the account now.
    provider.accounts.set(
      'agent-admin',
      pivot('alice.martin@nouvelle-adresse.gouv.fr', { siret: '11000201100044' }),
    );
    assertSignInContinues(await signIn('agent-admin'));
    const again = await identitiesOf(ADMIN.email);
    assert.equal(again.length, 1);
    assert.equal(again[0]?.siret, '11000201100044', 'the organisation is kept up to date');
    assert.equal((await journal('auth.proconnect.link')).length, 1, 'linked once');
  });

  test('a wrong or missing state is refused and links nothing', async () => {
    provider.accounts.set('agent-coordination', pivot(COORDINATION.email));
    const client = new Client(t.app);
    const back = new URL(await untilReturn(client, 'agent-coordination'), callbackPrefix);
    back.searchParams.set('state', 'un-etat-forge');
    const refused = await client.get(back.pathname + back.search);
    assert.equal(refused.statusCode, 400);
    assert.equal(h1(refused.body), 'La connexion avec ProConnect n’a pas abouti');
    assert.equal((await failures('state-mismatch')).length, 1);

    // The real answer, from another browser (no flow cookie): refused too.
    const elsewhere = new Client(t.app);
    const stolen = await elsewhere.get(await untilReturn(new Client(t.app), 'agent-coordination'));
    assert.equal(stolen.statusCode, 400);
    assert.equal((await failures('state-missing')).length, 1);

    assert.deepEqual(await identitiesOf(COORDINATION.email), []);
  });

  test('a code the provider does not recognise is refused after the exchange', async () => {
    provider.accounts.set('agent-coordination', pivot(COORDINATION.email));
    const client = new Client(t.app);
    const back = new URL(await untilReturn(client, 'agent-coordination'), callbackPrefix);
    back.searchParams.set('code', 'un-code-invente');
    const refused = await client.get(back.pathname + back.search);
    assert.equal(refused.statusCode, 502);
    assert.equal(h1(refused.body), 'La connexion avec ProConnect a échoué');
    assert.equal((await failures('exchange-failed')).length, 1);
    assert.deepEqual(await identitiesOf(COORDINATION.email), []);
  });

  test('a person without a Relais account is told to be invited first, and no account is made', async () => {
    provider.accounts.set('agent-inconnu', pivot('jeanne.inconnue@exemple.gouv.fr'));
    const before = await t.db.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const refused = await signIn('agent-inconnu');
    assert.equal(refused.statusCode, 403);
    assert.equal(h1(refused.body), 'Vous n’avez pas encore de compte Relais');
    assert.match(refused.body, /vous devez d’abord être invité/);
    assert.match(refused.body, /jeanne\.inconnue@exemple\.gouv\.fr/);
    const afterwards = await t.db.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterwards.n), Number(before.n));
    const identities = await t.db.db.selectFrom('proconnect_identity').select('sub').execute();
    assert.ok(!identities.some((i) => i.sub === 'agent-inconnu'));
    assert.equal((await failures('no-account')).length, 1);
  });

  test('an email the provider has not verified does not find the account', async () => {
    provider.accounts.set('agent-non-verifie', pivot(COORDINATION.email, { email_verified: false }));
    const refused = await signIn('agent-non-verifie');
    assert.equal(refused.statusCode, 403);
    assert.equal(h1(refused.body), 'Votre adresse e-mail n’est pas vérifiée');
    assert.deepEqual(await identitiesOf(COORDINATION.email), []);
    assert.equal((await failures('email-unverified')).length, 1);
  });

  test('a sign-in cancelled at the provider comes back as a French page', async () => {
    const refused = await signIn(undefined);
    assert.equal(refused.statusCode, 400);
    assert.equal(h1(refused.body), 'Connexion annulée');
    assert.equal((await failures('access-denied')).length, 1);
  });

  test('an email the provider does not vouch for links a new identity only once the second factor is proved', async () => {
    const sub = 'agent-sans-verification';
    provider.accounts.set(sub, pivot(COORDINATION.email, { email_verified: undefined }));
    // Someone who controls that address at an identity provider, but not the account.
    const attacker = new Client(t.app);
    const back = await attacker.get(await untilReturn(attacker, sub));
    assert.equal(back.headers.location, '/connexion/code');
    assert.deepEqual(await identitiesOf(COORDINATION.email), [], 'nothing linked before the code');
    const page = await attacker.get('/connexion/code');
    assert.match(page.body, /identité ProConnect n’est pas encore reliée/);
    assert.equal((await attacker.post('/connexion/code', { code: '000000' })).statusCode, 401);
    assert.deepEqual(await identitiesOf(COORDINATION.email), []);

    // The owner proves the second factor: now the identity is linked, and journaled.
    const owner = new Client(t.app);
    await owner.get(await untilReturn(owner, sub));
    await t.db.db
      .updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', COORDINATION.email)
      .execute();
    await owner.get('/connexion/code');
    const done = await owner.post('/connexion/code', { code: await totpCode(COORDINATION.totpSecret) });
    assert.equal(done.headers.location, '/espace');
    assert.deepEqual(
      (await identitiesOf(COORDINATION.email)).map((i) => i.sub),
      [sub],
    );
    const links = await journal('auth.proconnect.link');
    const linked = links.filter((e) => e.details.sub === sub);
    assert.deepEqual(
      linked.map((e) => e.subject_id),
      [await userId(COORDINATION.email)],
    );
  });

  test('the callback serves once: replaying it is refused', async () => {
    provider.accounts.set('agent-admin', pivot(ADMIN.email));
    const client = new Client(t.app);
    const back = await untilReturn(client, 'agent-admin');
    assertSignInContinues(await client.get(back));
    const replay = await client.get(back);
    assert.equal(replay.statusCode, 400);
  });
});

describe('ProConnect not configured', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  test('its routes answer the French 404 page and the sign-in page has no button', async () => {
    const client = new Client(t.app);
    for (const url of ['/connexion/proconnect', `${CALLBACK_PATH}?code=x&state=y`]) {
      const response = await client.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.equal(h1(response.body), 'Page introuvable');
    }
    const page = await client.get('/connexion');
    assert.doesNotMatch(page.body, /ProConnect/);
  });
});

describe('ProConnect unreachable', () => {
  let t: TestApp;
  let port = 0;
  before(async () => {
    // A port nothing listens on yet: discovery fails until the provider starts there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const proconnect = {
      issuer: `http://127.0.0.1:${port}`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    };
    t = await createTestApp({ config: { ...testConfig, proconnect } });
  });
  after(() => t.close());

  test('starting a sign-in says ProConnect is unavailable, and the next try discovers again', async () => {
    const response = await new Client(t.app).get('/connexion/proconnect');
    assert.equal(response.statusCode, 503);
    assert.equal(h1(response.body), 'ProConnect est momentanément indisponible');

    const provider = await startProvider(redirectUri(testConfig), port);
    try {
      const retry = await new Client(t.app).get('/connexion/proconnect');
      assert.equal(retry.statusCode, 302);
      assert.ok(String(retry.headers.location).startsWith(provider.issuer));
    } finally {
      await provider.close();
    }
  });
});

describe('ProConnect configuration', () => {
  const base = { NODE_ENV: 'test' };
  const complete = {
    PROCONNECT_ISSUER: 'https://proconnect.gouv.fr/api/v2',
    PROCONNECT_CLIENT_ID: 'client',
    PROCONNECT_CLIENT_SECRET: 'secret',
  };

  test('the three variables go together', () => {
    assert.equal(loadConfig(base).proconnect, undefined);
    assert.deepEqual(loadConfig({ ...base, ...complete }).proconnect, {
      issuer: complete.PROCONNECT_ISSUER,
      clientId: 'client',
      clientSecret: 'secret',
    });
    assert.throws(
      () => loadConfig({ ...base, PROCONNECT_ISSUER: complete.PROCONNECT_ISSUER }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        error.problems.every((p) => /^PROCONNECT_CLIENT_(ID|SECRET) : manquante/.test(p)),
    );
  });

  test('the issuer must be https, except on this machine', () => {
    assert.throws(
      () => loadConfig({ ...base, ...complete, PROCONNECT_ISSUER: 'http://proconnect.example/api' }),
      /PROCONNECT_ISSUER : doit commencer par https/,
    );
    assert.ok(loadConfig({ ...base, ...complete, PROCONNECT_ISSUER: 'http://127.0.0.1:4000' }).proconnect);
  });
});

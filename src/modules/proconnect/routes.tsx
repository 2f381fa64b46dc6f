import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Fields } from '../../platform/forms.ts';
import { isSignedIn } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import { completeFirstFactor, onSecondFactorConfirmed } from '../comptes/index.ts';
import { createProConnectClient, type FlowChecks, type ProConnectIdentity } from './client.ts';
import { findOrLinkAccount, type LinkRequest, link } from './service.ts';
import { FAILURE_PAGES, type Failure } from './views.tsx';

export const START_PATH = '/connexion/proconnect';
export const CALLBACK_PATH = '/connexion/proconnect/retour';

/** Keeps state, nonce and PKCE verifier between the two legs of a sign-in, in the browser. */
const FLOW_COOKIE = 'relais_proconnect';
const FLOW_TTL_MS = 10 * 60 * 1000;

const flowSchema = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(1),
  expiresAt: z.number(),
});

export const redirectUri = (config: Config) => `${config.publicUrl}${CALLBACK_PATH}`;

/** Each leg talks to ProConnect over the network: a few tries a minute are plenty for a person. */
const rateLimit = { max: 20, timeWindow: '1 minute' };

/** The pending sign-in's action that links a new identity once the second factor is proved. */
const CONFIRM_LINK = 'proconnect.link';

export function proconnectRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  onSecondFactorConfirmed(CONFIRM_LINK, (trx, userId, data, request) =>
    link(trx, userId, data as LinkRequest, { actor: request.actor, ip: request.ip }),
  );
  const client = config.proconnect && createProConnectClient(config.proconnect, redirectUri(config));

  app.get(START_PATH, { config: { access: 'public', rateLimit } }, async (request, reply) => {
    if (!client) return reply.callNotFound();
    if (isSignedIn(request.actor)) return reply.redirect('/espace');
    let start: Awaited<ReturnType<typeof client.startSignIn>>;
    try {
      start = await client.startSignIn();
    } catch (error) {
      request.log.warn({ error: describeError(error) }, 'ProConnect discovery failed');
      return refuse(db, request, reply, 'unavailable');
    }
    setFlowCookie(reply, config, start.checks);
    return reply.redirect(start.url.href);
  });

  // Its URL carries the one-time authorization code: the logger drops query strings.
  app.get<{ Querystring: Fields }>(
    CALLBACK_PATH,
    { config: { access: 'public', rateLimit } },
    async (request, reply) => {
      if (!client) return reply.callNotFound();
      const checks = takeFlowCookie(request, reply);
      const query = request.query;
      if (!checks) return refuse(db, request, reply, 'state-missing');
      if (query.state !== checks.state) return refuse(db, request, reply, 'state-mismatch');
      if (query.error !== undefined) {
        const code = providerErrorCode(query.error);
        return refuse(db, request, reply, code === 'access_denied' ? 'access-denied' : 'provider-error', {
          error: code,
        });
      }
      let identity: ProConnectIdentity;
      try {
        identity = await client.finishSignIn(callbackUrl(config, request), checks);
      } catch (error) {
        request.log.warn({ error: describeError(error) }, 'ProConnect callback refused');
        return refuse(db, request, reply, 'exchange-failed', { error: describeError(error).code });
      }
      const match = await findOrLinkAccount(db, identity, { actor: request.actor, ip: request.ip });
      if (!match.ok) {
        const { sub, email } = identity;
        return refuse(db, request, reply, match.reason, { userId: match.userId, sub, email });
      }
      const linkRequest: LinkRequest = { sub: identity.sub, uid: identity.uid, siret: identity.siret };
      return completeFirstFactor(
        db,
        config,
        request,
        reply,
        match.userId,
        'proconnect',
        match.confirmLink ? { kind: CONFIRM_LINK, data: linkRequest } : undefined,
      );
    },
  );
}

function setFlowCookie(reply: FastifyReply, config: Config, checks: FlowChecks): void {
  const payload = { ...checks, expiresAt: Date.now() + FLOW_TTL_MS };
  reply.setCookie(FLOW_COOKIE, Buffer.from(JSON.stringify(payload)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax', // sent on the provider's redirect back, a top-level GET
    secure: config.publicUrl.startsWith('https:'),
    path: START_PATH,
    maxAge: FLOW_TTL_MS / 1000,
  });
}

/** The checks of this browser's sign-in, if signed by us and fresh; they serve once. */
function takeFlowCookie(request: FastifyRequest, reply: FastifyReply): FlowChecks | null {
  const raw = request.cookies[FLOW_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLOW_COOKIE, { path: START_PATH });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const flow = flowSchema.parse(JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')));
    if (flow.expiresAt < Date.now()) return null;
    return { state: flow.state, nonce: flow.nonce, codeVerifier: flow.codeVerifier };
  } catch {
    return null;
  }
}

/** The URL ProConnect redirected to, rebuilt on the public address it was sent to (proxies). */
function callbackUrl(config: Config, request: FastifyRequest): URL {
  const queryStart = request.url.indexOf('?');
  return new URL(`${redirectUri(config)}${queryStart === -1 ? '' : request.url.slice(queryStart)}`);
}

/** The `error` parameter is the provider's word, but it comes through the browser: keep it tame. */
function providerErrorCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : 'invalid';
}

/** What the log and the journal may keep of an error: never its cause, which can hold responses. */
function describeError(error: unknown): { name: string; code: string; message: string } {
  if (!(error instanceof Error)) return { name: 'unknown', code: 'unknown', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, code: typeof code === 'string' ? code : error.name, message: error.message };
}

/** What a refusal journals besides its reason (never a token). */
type RefusalDetails = { userId?: string | undefined; sub?: string; email?: string; error?: string };

/** Journals the failed attempt and answers the page that explains it. */
async function refuse(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  failure: Failure,
  { userId, ...details }: RefusalDetails = {},
): Promise<FastifyReply> {
  await audit(db, {
    actor: request.actor,
    action: 'auth.proconnect.failure',
    subject: userId ? { type: 'user', id: userId } : undefined,
    ip: request.ip,
    details: { reason: failure, ...details },
  });
  const page = FAILURE_PAGES[failure];
  return reply.page({ title: page.title, status: page.status }, page.body({ email: details.email }));
}

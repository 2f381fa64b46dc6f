import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';

/**
 * The OpenID Connect side of ProConnect, through openid-client: discovery, the
 * authorization request (state, nonce, PKCE S256), the code exchange with the ID token's
 * checks, and the userinfo call. Nothing here touches the database.
 */

export type ProConnectSettings = NonNullable<Config['proconnect']>;

/** The pivot identity ProConnect shares with its partners. */
export const PROCONNECT_SCOPE = 'openid email given_name usual_name uid siret';

/** What a sign-in attempt must prove on its return: kept by the browser between the two legs. */
export type FlowChecks = { state: string; nonce: string; codeVerifier: string };

export type ProConnectIdentity = {
  sub: string;
  email: string;
  /** ProConnect does not send `email_verified`: undefined then, false only when a provider says so. */
  emailVerified: boolean | undefined;
  givenName: string | undefined;
  usualName: string | undefined;
  uid: string | undefined;
  siret: string | undefined;
};

const optionalText = z.string().trim().min(1).optional().catch(undefined);

const userInfoSchema = z.object({
  sub: z.string().min(1),
  email: z.email(),
  email_verified: z.boolean().optional().catch(undefined),
  given_name: optionalText,
  usual_name: optionalText,
  uid: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
  siret: optionalText,
});

/** The callback returned something unusable: a protocol error, a failed check, missing claims. */
export class ProConnectProtocolError extends Error {}

export type ProConnectClient = {
  /** Where to send the browser, and the checks to keep until it comes back. */
  startSignIn(): Promise<{ url: URL; checks: FlowChecks }>;
  /** Exchanges the code of `callbackUrl` after every check and returns who signed in. */
  finishSignIn(callbackUrl: URL, checks: FlowChecks): Promise<ProConnectIdentity>;
};

/** The configuration accepts plain http only for a provider on this machine (tests). */
const isPlainHttp = (url: URL) => url.protocol === 'http:';

async function discover(settings: ProConnectSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  const configuration = await oidc.discovery(
    issuer,
    settings.clientId,
    undefined,
    oidc.ClientSecretPost(settings.clientSecret),
    isPlainHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
  // Check the signatures of the ID token and of a signed userinfo answer, not only TLS.
  oidc.enableNonRepudiationChecks(configuration);
  return configuration;
}

export function createProConnectClient(settings: ProConnectSettings, redirectUri: string): ProConnectClient {
  // Discovered once, on first use; a failed discovery is retried at the next sign-in.
  let configuration: Promise<oidc.Configuration> | undefined;
  const configured = () => {
    configuration ??= discover(settings).catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  return {
    async startSignIn() {
      const checks: FlowChecks = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(await configured(), {
        redirect_uri: redirectUri,
        scope: PROCONNECT_SCOPE,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, checks };
    },

    async finishSignIn(callbackUrl, checks) {
      const config = await configured();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new ProConnectProtocolError('no ID token subject');
      // The claims come from userinfo, which must be about the ID token's subject.
      const userInfo = await oidc.fetchUserInfo(config, tokens.access_token, sub);
      return toIdentity(userInfo);
    },
  };
}

function toIdentity(userInfo: unknown): ProConnectIdentity {
  const parsed = userInfoSchema.safeParse(userInfo);
  if (!parsed.success) throw new ProConnectProtocolError('userinfo without the expected claims');
  const c = parsed.data;
  return {
    sub: c.sub,
    email: c.email,
    emailVerified: c.email_verified,
    givenName: c.given_name,
    usualName: c.usual_name,
    uid: c.uid,
    siret: c.siret,
  };
}

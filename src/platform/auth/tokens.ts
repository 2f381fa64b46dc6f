import { type RawBuilder, sql } from 'kysely';
import { audit } from '../audit/journal.ts';
import { type Db, PREPARED } from '../db/database.ts';
import { isUuid } from '../forms.ts';
import { type Actor, ANONYMOUS, type Membership, systemActor } from './policy.ts';
import { hashSecretToken, newSecretToken } from './secret-token.ts';
import { defaultCollectiviteId } from './sessions.ts';

/**
 * Personal API tokens: an integration acts as the person who created the token, through
 * `Authorization: Bearer relais_…` on `/api/`. Only the SHA-256 of a token is stored: the
 * clear value is shown once, when it is created.
 */

export const TOKEN_PREFIX = 'relais_';
/** A token in use writes its last use at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

export type TokenInfo = {
  id: string;
  userId: string;
  email: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/**
 * Creates a token for a person and returns its clear value, which nobody can read again.
 * `actor` is who asked, for the journal: the command line unless said otherwise.
 */
export async function createToken(
  db: Db,
  userId: string,
  name: string,
  actor: Actor = systemActor('cli'),
): Promise<string> {
  const token = TOKEN_PREFIX + newSecretToken();
  await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('api_token')
      .values({ user_id: userId, name, token_hash: hashSecretToken(token) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'token.create',
      subject: { type: 'api_token', id },
      details: { user: userId, name },
    });
  });
  return token;
}

/** Revokes a token for good; false when no active token has this id. */
export async function revokeToken(
  db: Db,
  id: string,
  actor: Actor = systemActor('cli'),
  now = new Date(),
): Promise<boolean> {
  // Not a uuid: PostgreSQL would refuse the comparison rather than find nothing.
  if (!isUuid(id)) return false;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('api_token')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returning(['user_id', 'name'])
      .executeTakeFirst();
    if (!row) return false;
    await audit(trx, {
      actor,
      action: 'token.revoke',
      subject: { type: 'api_token', id },
      details: { user: row.user_id, name: row.name },
    });
    return true;
  });
}

/** Every token (revoked ones too), or a person's; by email, then oldest first. */
export async function listTokens(db: Db, userId?: string): Promise<TokenInfo[]> {
  const rows = await db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 'u.email', 't.name', 't.created_at', 't.last_used_at', 't.revoked_at'])
    .$if(userId !== undefined, (q) => q.where('t.user_id', '=', userId!))
    .orderBy('u.email')
    .orderBy('t.created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    email: r.email,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** What a presented token leads to; `tokenId` names a known but unusable token, for the journal. */
type Lookup = { actor: Actor; tokenId: string } | { actor: null; tokenId: string | null };

const NOT_FOUND: Lookup = { actor: null, tokenId: null };

/** A token's row with its person and their roles (as `loadMemberships` reads them), as JSON. */
type TokenRow = {
  id: string;
  user_id: string;
  last_used_at: string | null;
  revoked: boolean;
  email: string;
  name: string;
  status: string;
  memberships: Membership[];
};

/** The token of an `Authorization` header (`Bearer …`), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization ? /^Bearer +(\S+) *$/i.exec(authorization)?.[1] : undefined;
}

/**
 * The query of a token's row (null when no token has this value), one JSON value: the API's
 * rate limits read it in their own statement (`registerApiLimits`), so that a request to `/api/`
 * costs one round trip before its route, and every request reads the token as it is now (a
 * revocation, a disabled account, a removed role count at once, in every process). Undefined
 * when the value cannot be a token.
 */
export function tokenRowQuery(token: string): RawBuilder<TokenRow> | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  return sql<TokenRow>`select json_build_object('id', t.id, 'user_id', t.user_id,
      'last_used_at', t.last_used_at, 'revoked', t.revoked_at is not null, 'email', u.email,
      'name', u.name, 'status', u.status,
      'memberships', (select coalesce(json_agg(json_build_object('role', m.role,
        'collectiviteId', m.collectivite_id)), '[]') from membership m where m.user_id = u.id))
    from api_token t join app_user u on u.id = t.user_id
    where t.token_hash = ${hashSecretToken(token)}`;
}

async function readToken(db: Db, token: string): Promise<TokenRow | null> {
  const query = tokenRowQuery(token);
  if (!query) return null;
  // Every API request asks: parsed and planned once per connection.
  const { rows } = await sql<{ row: TokenRow | null }>`select (${query}) as row ${PREPARED}`.execute(db);
  return rows[0]?.row ?? null;
}

/** What a token's row leads to; records its use (at most once a minute). */
async function lookupToken(db: Db, row: TokenRow | null, now: Date): Promise<Lookup> {
  if (!row) return NOT_FOUND;
  if (row.revoked || row.status !== 'active') return { actor: null, tokenId: row.id };
  // An integration may call many times a minute: it should not write each time.
  const lastUsed = row.last_used_at === null ? null : new Date(row.last_used_at);
  if (!lastUsed || now.getTime() - lastUsed.getTime() > TOUCH_INTERVAL_MS) {
    // Several requests (in several processes) may see the same old time: one of them writes.
    const touched = await db
      .updateTable('api_token')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .where((w) =>
        w.or([
          w('last_used_at', 'is', null),
          w('last_used_at', '<', new Date(now.getTime() - TOUCH_INTERVAL_MS)),
        ]),
      )
      .executeTakeFirst();
    // The journal records uses at the same pace: one entry a minute at most per token.
    if (Number(touched.numUpdatedRows) > 0)
      await audit(db, {
        actor: {
          kind: 'user',
          userId: row.user_id,
          email: row.email,
          name: row.name,
          memberships: [],
          activeCollectiviteId: null,
        },
        action: 'token.use',
        subject: { type: 'api_token', id: row.id },
      });
  }
  const memberships = row.memberships;
  const actor: Actor = {
    kind: 'user',
    userId: row.user_id,
    email: row.email,
    name: row.name,
    memberships,
    activeCollectiviteId: defaultCollectiviteId(memberships),
  };
  return { actor, tokenId: row.id };
}

/**
 * The actor behind a token, with the same shape as a session's, or null when the token is
 * unknown, revoked, or its person is disabled. Records the use (at most once a minute).
 */
export async function resolveToken(db: Db, token: string, now = new Date()): Promise<Actor | null> {
  return (await lookupToken(db, await readToken(db, token), now)).actor;
}

/** Where failed token attempts go: `tokenFailureJournal`, or straight to the journal. */
export type TokenFailureSink = (ip: string, tokenId: string | null) => Promise<void>;

const journalTokenFailure = (db: Db, ip: string, tokenId: string | null, details?: Record<string, unknown>) =>
  audit(db, {
    actor: ANONYMOUS,
    action: 'auth.token.failure',
    subject: tokenId ? { type: 'api_token', id: tokenId } : undefined,
    ip,
    details,
  });

/**
 * Failed token attempts, journaled in aggregate: the first from an address at once, the
 * others of the same minute as one more entry with their count when the minute ends (or
 * `flush()`, when the app closes). A client trying tokens writes two entries a minute at most.
 */
export function tokenFailureJournal(db: Db, windowMs = 60_000) {
  const windows = new Map<
    string,
    { since: Date; count: number; tokenIds: Set<string>; timer: NodeJS.Timeout }
  >();

  const close = async (ip: string) => {
    const window = windows.get(ip);
    if (!window) return;
    windows.delete(ip);
    clearTimeout(window.timer);
    if (window.count === 0) return;
    await journalTokenFailure(db, ip, null, {
      tentatives: window.count,
      depuis: window.since.toISOString(),
      jetons_connus: [...window.tokenIds].slice(0, 20),
    });
  };

  const record: TokenFailureSink = async (ip, tokenId) => {
    const open = windows.get(ip);
    if (open) {
      open.count += 1;
      if (tokenId) open.tokenIds.add(tokenId);
      return;
    }
    const timer = setTimeout(() => void close(ip).catch(() => {}), windowMs);
    timer.unref();
    windows.set(ip, { since: new Date(), count: 0, tokenIds: new Set(), timer });
    await journalTokenFailure(db, ip, tokenId, { tentatives: 1 });
  };

  return {
    record,
    /** Journals every pending count now. */
    flush: () => Promise.all([...windows.keys()].map(close)).then(() => undefined),
  };
}

/**
 * The actor of a request to `/api/`, from its `Authorization: Bearer …` header alone (a
 * session cookie does not count there). Without the header the caller is anonymous; a
 * header that gives no usable token is a failure (to `onFailure`, else journaled at once),
 * and the caller is anonymous.
 */
export async function actorFromBearer(
  db: Db,
  authorization: string | undefined,
  ip: string,
  onFailure: TokenFailureSink = (failedIp, tokenId) => journalTokenFailure(db, failedIp, tokenId),
  /** The token's row, when it was read already (with the rate limits' counters). */
  readAlready?: { value: unknown },
): Promise<Actor> {
  if (!authorization) return ANONYMOUS;
  const token = bearerToken(authorization);
  const row = readAlready
    ? (readAlready.value as TokenRow | null)
    : token
      ? await readToken(db, token)
      : null;
  const found = await lookupToken(db, row, new Date());
  if (found.actor) return found.actor;
  await onFailure(ip, found.tokenId);
  return ANONYMOUS;
}

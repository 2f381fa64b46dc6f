/**
 * PostgreSQL clusters of our own, made and thrown away by a test or a bench: a primary made with
 * `initdb`, and a streaming replica of it made with `pg_basebackup`, each on a free port of
 * 127.0.0.1 with its data directory under the temporary directory. The machine's own server is
 * never touched (others' tests use it): whatever a test does to a cluster, it does to its own.
 *
 * As root, the server's programs run as the `postgres` account (`runuser`), which owns the data
 * directories; as anyone else, as that user. `clusterUnavailable()` says why clusters cannot be
 * made here (no PostgreSQL programs, no account to run them), for a test to skip with.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { withServerConnection } from '../../src/platform/db/database.ts';

const run = promisify(execFile);

/** Where PostgreSQL's server programs are: `PG_BINDIR`, else Debian's place for the newest one. */
function binDir(): string | undefined {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  for (const version of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** The account the servers run as when we are root (PostgreSQL refuses to run as root). */
let postgresAccount: { name: string; uid: number; gid: number } | null | undefined;
function serverAccount(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (postgresAccount === undefined) {
    // /etc/passwd: name:x:uid:gid:…
    const line = existsSync('/etc/passwd')
      ? readFileSync('/etc/passwd', 'utf8')
          .split('\n')
          .find((l) => l.startsWith('postgres:'))
      : undefined;
    const [, , uid, gid] = line?.split(':') ?? [];
    postgresAccount = line ? { name: 'postgres', uid: Number(uid), gid: Number(gid) } : null;
  }
  return postgresAccount ?? undefined;
}

/** Why clusters cannot be made on this machine, or undefined when they can. */
export function clusterUnavailable(): string | undefined {
  const bin = binDir();
  if (!bin || !existsSync(path.join(bin, 'initdb')) || !existsSync(path.join(bin, 'pg_basebackup')))
    return 'PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) not found: install postgresql, or set PG_BINDIR';
  if (process.getuid?.() === 0 && !serverAccount())
    return 'running as root without a postgres account to run the server as';
  return undefined;
}

/** Runs one of PostgreSQL's programs, as the server's account. */
async function pgProgram(program: string, args: string[]): Promise<string> {
  const command = path.join(binDir()!, program);
  const account = serverAccount();
  const [file, argv] = account ? ['runuser', ['-u', account.name, '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await run(file, argv, { cwd: tmpdir(), maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${program} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A data directory for a new cluster, owned by the account the server runs as. */
function newDirectory(kind: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `relais-pg-${kind}-`));
  const account = serverAccount();
  if (account) chownSync(dir, account.uid, account.gid);
  return dir;
}

export type Cluster = {
  port: number;
  /** Its data directory (`pgdata`) and log (`server.log`) are in it. */
  dir: string;
  /** A URL to one of its databases, as the `postgres` superuser over TCP. */
  url(database?: string): string;
  start(): Promise<void>;
  /** `fast`: clean, clients disconnected; `immediate`: as a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it if it runs and deletes its files. */
  remove(): Promise<void>;
};

function cluster(dir: string, port: number): Cluster {
  const data = path.join(dir, 'pgdata');
  const log = path.join(dir, 'server.log');
  // Its own socket directory, so that nothing depends on the system's one.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`;
  let running = false;
  const self: Cluster = {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await pgProgram('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', options]);
      running = true;
    },
    async stop(mode = 'fast') {
      await pgProgram('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', data]);
      running = false;
    },
    async restart(mode = 'fast') {
      await self.stop(mode);
      await self.start();
    },
    async remove() {
      if (running) await self.stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/**
 * A new primary: `initdb` (trust for local connections and replication), then started.
 * `settings` go to postgresql.conf (e.g. `{ fsync: 'off' }` where durability is not the point).
 */
export async function createCluster(options: { settings?: Record<string, string> } = {}): Promise<Cluster> {
  const dir = newDirectory('primary');
  const port = await freePort();
  try {
    await pgProgram('initdb', [
      '-D',
      path.join(dir, 'pgdata'),
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
    const settings = {
      wal_level: 'replica',
      max_wal_senders: '5',
      max_connections: '200',
      ...options.settings,
    };
    const conf = Object.entries(settings)
      .map(([key, value]) => `${key} = '${value}'`)
      .join('\n');
    await appendAsServer(path.join(dir, 'pgdata', 'postgresql.conf'), `\n${conf}\n`);
    const made = cluster(dir, port);
    await made.start();
    return made;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Appends to a file of the data directory as the server's account (its owner). */
async function appendAsServer(file: string, text: string): Promise<void> {
  appendFileSync(file, text);
  const account = serverAccount();
  if (account) chownSync(file, account.uid, account.gid);
}

/**
 * A streaming replica of `primary`: `pg_basebackup -R` (it writes the standby settings), started
 * on another port; resolves once it streams.
 */
export async function createReplica(primary: { port: number }): Promise<Cluster> {
  const dir = newDirectory('replica');
  const port = await freePort();
  try {
    await pgProgram('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      path.join(dir, 'pgdata'),
      '-R',
      '-X',
      'stream',
      '--no-sync',
      '-c',
      'fast',
    ]);
    // A replica must not refuse queries while it catches up from a recent base backup.
    await appendAsServer(path.join(dir, 'pgdata', 'postgresql.conf'), "\nhot_standby = 'on'\n");
    const made = cluster(dir, port);
    await made.start();
    await waitFor(async () =>
      withServerConnection(made.url(), async (c) => {
        const { rows } = await c.query<{ n: number }>('select count(*)::int as n from pg_stat_wal_receiver');
        return rows[0]!.n > 0;
      }),
    );
    return made;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Resolves once the replica has replayed everything the primary had written when called. */
export async function waitForReplay(primary: Cluster, replica: Cluster): Promise<void> {
  const lsn = await withServerConnection(primary.url(), async (c) => {
    const { rows } = await c.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    return rows[0]!.lsn;
  });
  await waitFor(() =>
    withServerConnection(replica.url(), async (c) => {
      const { rows } = await c.query<{ done: boolean }>(
        'select pg_last_wal_replay_lsn() >= $1::pg_lsn as done',
        [lsn],
      );
      return rows[0]!.done === true;
    }),
  );
}

/** Polls `ready` (every 50 ms, errors counting as not yet) until true, for at most `timeoutMs`. */
export async function waitFor(ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      if (await ready()) return;
    } catch (error) {
      last = error;
    }
    await sleep(50);
  }
  throw new Error(`not ready after ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
}

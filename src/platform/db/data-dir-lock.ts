import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli-error.ts';
import { formatDateTime } from '../paris-time.ts';

/**
 * One process at a time on an embedded database: PGlite keeps the data in memory and writes
 * it back on close, so a second process on the same directory works on a copy the first never
 * sees (and one of them overwrites the other). The first process writes its pid, command and
 * start time in `DATA_DIR/relais.lock`; the others refuse, unless that process is gone.
 */

type Holder = { pid: number; command: string; since: string };

const LOCK_FILE = 'relais.lock';

/** Whether a process with this pid runs (EPERM: it runs, under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined; // absent, or half-written by a process that died: stale
  }
}

function describe(holder: Holder): string {
  const since = formatDateTime(new Date(holder.since), 'short', true);
  return `pid ${holder.pid}, « ${holder.command} », depuis le ${since}`;
}

/**
 * Takes the directory for this process and returns the function that gives it back; throws a
 * French CliError naming the process that holds it. The same process may open it again.
 */
export function lockDataDir(dataDir: string, command = commandLine()): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      return () => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder?.pid === process.pid) return () => {};
    if (holder && isRunning(holder.pid)) {
      throw new CliError(
        `la base embarquée de ${dataDir} est ouverte par un autre processus Relais (${describe(holder)}). ` +
          'Arrêtez-le avant cette commande (une base embarquée ne sert qu’un processus à la fois), ' +
          `ou utilisez un serveur PostgreSQL (DATABASE_URL). Si ce processus n’est pas Relais, supprimez ${file}.`,
      );
    }
    rmSync(file, { force: true }); // its process is gone: a stale lock
  }
  throw new CliError(`la base embarquée de ${dataDir} est prise par un autre processus Relais : réessayez.`);
}

/** `serve`, `token create`…: the command this process runs, for the message of the others. */
function commandLine(): string {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  return args.slice(0, 2).join(' ') || path.basename(process.argv[1] ?? 'relais');
}

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline as chainStreams, type Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadable } from 'node:stream/web';
import { createGunzip, createGzip } from 'node:zlib';
import type { Decrypter, Encrypter } from 'age-encryption';
import { BackupError } from './errors.ts';

/**
 * The keys, from the environment. Backups are encrypted with age either with a passphrase
 * (scrypt) or to a public key (`age1…`); restoring the latter needs the secret key.
 */
export type BackupKeys = {
  passphrase?: string | undefined;
  recipient?: string | undefined;
  identity?: string | undefined;
};

const AGE_MAGIC = 'age-encryption.org/v1\n';

// age works on web streams, files and zlib on Node streams. @types/node types the two
// kinds of web streams (global and node:stream/web) apart; at run time they are one.
const toWeb = (stream: Readable) => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
const fromWeb = (stream: ReadableStream<Uint8Array>) => Readable.fromWeb(stream as WebReadable<Uint8Array>);

/** `source` piped into `transform`; an error on either side errors the result. */
function chain(source: Readable, transform: Duplex): Duplex {
  return chainStreams(source, transform, () => {});
}

// age is loaded on first use: only the backup commands need it.
async function createEncrypter(keys: BackupKeys): Promise<Encrypter> {
  if (keys.passphrase && keys.recipient) {
    throw new BackupError(
      'RELAIS_BACKUP_PASSPHRASE et RELAIS_BACKUP_RECIPIENT sont définies toutes les deux : une sauvegarde se chiffre avec l’une ou l’autre, retirez-en une.',
    );
  }
  const { Encrypter } = await import('age-encryption');
  const encrypter = new Encrypter();
  if (keys.recipient) {
    try {
      encrypter.addRecipient(keys.recipient);
    } catch {
      throw new BackupError('RELAIS_BACKUP_RECIPIENT n’est pas une clé publique age valide (age1…).');
    }
  } else if (keys.passphrase) {
    encrypter.setPassphrase(keys.passphrase);
  } else {
    throw new BackupError(
      'Aucune clé de chiffrement : définissez RELAIS_BACKUP_PASSPHRASE (phrase de passe) ou RELAIS_BACKUP_RECIPIENT (clé publique age1…).',
    );
  }
  return encrypter;
}

async function createDecrypter(keys: BackupKeys): Promise<Decrypter> {
  const { Decrypter } = await import('age-encryption');
  const decrypter = new Decrypter();
  if (keys.passphrase) decrypter.addPassphrase(keys.passphrase);
  if (keys.identity) {
    try {
      decrypter.addIdentity(keys.identity);
    } catch {
      throw new BackupError(
        'RELAIS_BACKUP_IDENTITY n’est pas une clé secrète age valide (AGE-SECRET-KEY-1…).',
      );
    }
  }
  if (!keys.passphrase && !keys.identity) {
    throw new BackupError(
      'Aucune clé de déchiffrement : définissez RELAIS_BACKUP_PASSPHRASE (phrase de passe) ou RELAIS_BACKUP_IDENTITY (clé secrète AGE-SECRET-KEY-1…).',
    );
  }
  return decrypter;
}

/**
 * Compresses and encrypts `plaintext` into `out`. Writes aside then renames, so that an
 * interrupted backup never leaves a file that looks complete. Refuses to overwrite.
 */
export async function writeEncrypted(
  out: string,
  keys: BackupKeys,
  produce: (write: (plaintext: AsyncIterable<Uint8Array>) => Promise<void>) => Promise<void>,
): Promise<void> {
  const encrypter = await createEncrypter(keys);
  if (existsSync(out)) {
    throw new BackupError(
      `Le fichier ${out} existe déjà : choisissez un autre nom (une sauvegarde n’en écrase jamais une autre).`,
    );
  }
  const partial = `${out}.${process.pid}.partiel`;
  try {
    await produce(async (plaintext) => {
      // One batch of rows buffered at a time (object streams default to 16).
      const compressed = chain(Readable.from(plaintext, { highWaterMark: 1 }), createGzip());
      const encrypted = await encrypter.encrypt(toWeb(compressed));
      await pipeline(fromWeb(encrypted), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    });
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EEXIST') {
      throw new BackupError(`Impossible d’écrire ${out} : ${(error as Error).message}`);
    }
    throw error;
  }
}

async function startsWithAgeMagic(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackupError(
      code === 'ENOENT'
        ? `Fichier introuvable : ${file}`
        : `Impossible de lire ${file} : ${(error as Error).message}`,
    );
  }
  try {
    const magic = Buffer.alloc(AGE_MAGIC.length);
    const { bytesRead } = await handle.read(magic, 0, magic.length, 0);
    return bytesRead === magic.length && magic.toString('latin1') === AGE_MAGIC;
  } finally {
    await handle.close();
  }
}

/** Re-raises any error of `stream` as a BackupError with `message`. */
function explainErrors<T>(stream: ReadableStream<T>, message: string): ReadableStream<T> {
  const reader = stream.getReader();
  return new ReadableStream<T>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error instanceof BackupError ? error : new BackupError(message, { cause: error }));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Decompresses and splits into lines; a bad gzip or UTF-8 stream is a corrupt backup. */
async function* decompressLines(compressed: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let buffer = '';
  try {
    for await (const chunk of chain(fromWeb(compressed), createGunzip())) {
      buffer += decoder.decode(chunk as Buffer, { stream: true });
      let start = 0;
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
        yield buffer.slice(start, end);
        start = end + 1;
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.decode();
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('Sauvegarde illisible : son contenu décompressé est invalide.', { cause: error });
  }
  if (buffer) yield buffer;
}

const CORRUPT =
  'Sauvegarde corrompue ou tronquée : son contenu chiffré ne s’authentifie pas (fichier modifié ou incomplet). Rien n’a été restauré.';

/**
 * Opens an encrypted backup and returns its plaintext lines. Wrong keys and files that are
 * not age files fail here, before anything reads the content. A truncated or altered file
 * fails while the lines are read (age authenticates each 64 KiB chunk and marks the last).
 */
export async function openDecrypted(file: string, keys: BackupKeys): Promise<AsyncGenerator<string>> {
  const decrypter = await createDecrypter(keys);
  if (!(await startsWithAgeMagic(file))) {
    throw new BackupError(`${file} n’est pas une sauvegarde chiffrée avec age (en-tête age absent).`);
  }
  const source = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  let plaintext: ReadableStream<Uint8Array>;
  try {
    plaintext = await decrypter.decrypt(source);
  } catch (error) {
    await source.cancel().catch(() => {});
    // age-encryption (pinned) says so in this message; any other failure is the header's.
    const message = (error as Error).message;
    if (message.includes('no identity matched')) {
      throw new BackupError(
        'Impossible de déchiffrer la sauvegarde : phrase de passe ou clé incorrecte (RELAIS_BACKUP_PASSPHRASE ou RELAIS_BACKUP_IDENTITY).',
      );
    }
    throw new BackupError(`En-tête age corrompu ou tronqué : ${file} est illisible.`, { cause: error });
  }
  return decompressLines(explainErrors(plaintext, CORRUPT));
}

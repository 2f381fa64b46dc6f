import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { FILE_MAX_BYTES, IMAGE_MAX_BYTES } from './vocabulary.ts';

/**
 * What a `fichier` or `image` block may hold, checked by content (never by the name or the type
 * the browser declares): PDF, PNG, JPEG, WebP, and office documents (OOXML and OpenDocument,
 * recognised inside their ZIP container). Executables, scripts, other archives and anything
 * unknown are refused with a French reason.
 */

export type CheckedFile =
  | { ok: true; contentType: string; bytes: Buffer; sha256: string; text: string; extension: string }
  | { ok: false; reason: string };

const starts = (b: Buffer, sig: string) => b.subarray(0, sig.length).toString('latin1') === sig;

const OOXML: [string, string, string][] = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
];
const ODF: Record<string, string> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

/** The names of a ZIP file's entries, from its local headers (enough to recognise office files). */
function zipEntries(b: Buffer, limit = 200): string[] {
  const names: string[] = [];
  let at = 0;
  while (names.length < limit && at + 30 <= b.length && b.readUInt32LE(at) === 0x04034b50) {
    const compressed = b.readUInt32LE(at + 18);
    const nameLength = b.readUInt16LE(at + 26);
    const extraLength = b.readUInt16LE(at + 28);
    names.push(b.subarray(at + 30, at + 30 + nameLength).toString('utf8'));
    const flags = b.readUInt16LE(at + 6);
    // A streamed entry (sizes after the data) cannot be walked without inflating: stop there.
    if (flags & 0x08 && compressed === 0) break;
    at += 30 + nameLength + extraLength + compressed;
  }
  return names;
}

function officeType(b: Buffer): { contentType: string; extension: string } | undefined {
  const names = zipEntries(b);
  if (names[0] === 'mimetype') {
    const type = b
      .subarray(38, 38 + 60)
      .toString('latin1')
      .replace(/[^a-z0-9./+-].*$/s, '');
    const ext = ODF[type];
    if (ext) return { contentType: type, extension: ext };
    return undefined;
  }
  if (!names.includes('[Content_Types].xml')) return undefined;
  for (const [prefix, contentType, extension] of OOXML)
    if (names.some((n) => n.startsWith(prefix))) return { contentType, extension };
  return undefined;
}

const REFUSED =
  'Ce type de fichier n’est pas accepté : envoyez un PDF, une image (PNG, JPEG, WebP) ou un document bureautique (Word, Excel, PowerPoint, OpenDocument).';

/** Checks a file of a `fichier` block; a PDF's text is extracted for search. */
export function checkFile(bytes: Buffer): CheckedFile {
  if (bytes.length === 0) return { ok: false, reason: 'Le fichier est vide.' };
  if (bytes.length > FILE_MAX_BYTES)
    return { ok: false, reason: 'Le fichier dépasse 20 Mo : réduisez-le ou découpez-le.' };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ok = (contentType: string, extension: string, text = '') =>
    ({ ok: true, contentType, bytes, sha256, text, extension }) as const;
  if (starts(bytes, '%PDF-')) return ok('application/pdf', 'pdf', pdfText(bytes));
  if (starts(bytes, '\x89PNG\r\n\x1a\n')) return ok('image/png', 'png');
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return ok('image/jpeg', 'jpg');
  if (starts(bytes, 'RIFF') && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return ok('image/webp', 'webp');
  if (
    starts(bytes, 'MZ') ||
    starts(bytes, '\x7fELF') ||
    starts(bytes, '#!') ||
    starts(bytes, '\xca\xfe\xba\xbe')
  )
    return { ok: false, reason: 'Les programmes et les scripts ne sont pas acceptés.' };
  if (starts(bytes, 'PK\x03\x04')) {
    const office = officeType(bytes);
    if (office) return ok(office.contentType, office.extension);
    return {
      ok: false,
      reason: 'Les archives (ZIP…) ne sont pas acceptées : envoyez les fichiers un par un.',
    };
  }
  if (starts(bytes, 'Rar!') || starts(bytes, '7z\xbc\xaf') || (bytes[0] === 0x1f && bytes[1] === 0x8b))
    return {
      ok: false,
      reason: 'Les archives (ZIP, RAR, 7z, gzip) ne sont pas acceptées : envoyez les fichiers un par un.',
    };
  if (starts(bytes, '\xd0\xcf\x11\xe0'))
    return {
      ok: false,
      reason:
        'Les anciens formats Office (.doc, .xls, .ppt) ne sont pas acceptés : enregistrez le document en PDF ou au format récent.',
    };
  return { ok: false, reason: REFUSED };
}

export type CheckedImage =
  | { ok: true; bytes: Buffer; contentType: string; sha256: string }
  | { ok: false; reason: string };

/** Checks an image block's file: decoded whole and re-encoded (metadata dropped, 1600 px at most). */
export async function checkImage(bytes: Buffer): Promise<CheckedImage> {
  if (bytes.length === 0) return { ok: false, reason: 'Le fichier est vide.' };
  if (bytes.length > IMAGE_MAX_BYTES)
    return { ok: false, reason: 'L’image dépasse 5 Mo : réduisez-la avant de l’envoyer.' };
  const file = checkFile(bytes);
  if (!file.ok || !file.contentType.startsWith('image/'))
    return { ok: false, reason: 'Le fichier doit être une image PNG, JPEG ou WebP.' };
  try {
    const image = sharp(bytes, { failOn: 'error', limitInputPixels: 40_000_000 })
      .rotate()
      .resize({ width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true });
    const out =
      file.contentType === 'image/png'
        ? await image.png().toBuffer()
        : await image.jpeg({ quality: 82 }).toBuffer();
    const contentType = file.contentType === 'image/png' ? 'image/png' : 'image/jpeg';
    return { ok: true, bytes: out, contentType, sha256: createHash('sha256').update(out).digest('hex') };
  } catch {
    return {
      ok: false,
      reason: 'L’image est illisible ou abîmée : enregistrez-la de nouveau en PNG ou JPEG et réessayez.',
    };
  }
}

const winAnsi = new TextDecoder('windows-1252');

function literal(s: string): string {
  return s.replace(/\\(\d{1,3}|.)/gs, (_m, c: string) => {
    if (/^\d/.test(c)) return String.fromCharCode(Number.parseInt(c, 8));
    return ({ n: '\n', r: '\r', t: '\t', b: '', f: '' } as Record<string, string>)[c] ?? c;
  });
}

/**
 * The text of a PDF, best effort and bounded: the Flate (or plain) content streams are read and
 * the strings of their text operators (`Tj`, `TJ`, `'`) kept. Enough for the PDFs office
 * software and pdfkit write with standard encodings; text in embedded subset fonts with custom
 * encodings comes out garbled or empty (search then relies on the title and file name).
 */
export function pdfText(pdf: Buffer, max = 200_000): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  let length = 0;
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    if (length > max) break;
    const data = Buffer.from(m[1] ?? '', 'latin1');
    let content: string;
    try {
      content = inflateSync(data, { maxOutputLength: 5_000_000 }).toString('latin1');
    } catch {
      content = data.toString('latin1');
    }
    if (!/T[Jj]/.test(content)) continue;
    for (const op of content.matchAll(
      /\[((?:[^\]\\]|\\.)*)\]\s*TJ|\(((?:[^)\\]|\\.)*)\)\s*(?:Tj|')|<([0-9a-fA-F\s]+)>\s*Tj/g,
    )) {
      let piece = '';
      if (op[1] !== undefined) {
        for (const part of op[1].matchAll(/\(((?:[^)\\]|\\.)*)\)|<([0-9a-fA-F\s]*)>/g))
          piece +=
            part[1] !== undefined
              ? literal(part[1])
              : winAnsi.decode(Buffer.from((part[2] ?? '').replace(/\s/g, ''), 'hex'));
      } else if (op[2] !== undefined) piece = literal(op[2]);
      else piece = winAnsi.decode(Buffer.from((op[3] ?? '').replace(/\s/g, ''), 'hex'));
      const clean = piece.replace(/\p{Cc}/gu, ' ').trim();
      if (clean) {
        out.push(clean);
        length += clean.length + 1;
      }
    }
  }
  return out.join(' ').slice(0, max);
}

import { inflateSync } from 'node:zlib';

const winAnsi = new TextDecoder('windows-1252');

/**
 * The text a PDF made by pdfkit shows, one line per text object: its content streams are
 * inflated and the hex strings of each `TJ` decoded (standard fonts use WinAnsi).
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  for (const stream of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(stream[1] ?? '', 'latin1')).toString('latin1');
    } catch {
      continue; // an image or a font, not a content stream
    }
    for (const array of content.matchAll(/\[([^\]]*)\]\s*TJ/g))
      lines.push(
        [...(array[1] ?? '').matchAll(/<([0-9a-f]*)>/gi)]
          .map((hex) => winAnsi.decode(Buffer.from(hex[1] ?? '', 'hex')))
          .join(''),
      );
  }
  return lines.join('\n');
}

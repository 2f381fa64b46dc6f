/**
 * A4 documents with pdfkit, as every module writes them: PDF 1.7 in French with its title shown,
 * tagged for screen readers unless told otherwise (a structure tree under one `Document`
 * element), and its bytes once finished. pdfkit is loaded on first use: most processes never
 * write a PDF.
 */

export const A4 = { width: 595.28, height: 841.89 } as const;
/** The colour of text. */
export const INK = '#1b1b1b';

/** The standard PDF fonts know no narrow no-break space (what French dates and numbers put in). */
export const pdfText = (s: string): string => s.replace(/[\u202f\u00a0]/g, ' ');

export type PdfOptions = {
  title: string;
  subject: string;
  author: string;
  margin: number;
  /** Keeps the pages in memory until the end, to write on them again (page numbers). */
  bufferPages?: boolean;
};

/** An untagged document and the function that ends it and gives its bytes. */
export async function newPdf(options: PdfOptions, tagged = false) {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: options.margin,
    pdfVersion: '1.7',
    tagged,
    lang: 'fr-FR',
    displayTitle: true,
    ...(options.bufferPages ? { bufferPages: true } : {}),
    info: { Title: pdfText(options.title), Subject: options.subject, Author: pdfText(options.author) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const finish = async (): Promise<Buffer> => {
    doc.end();
    await ended;
    return Buffer.concat(chunks);
  };
  return { doc, finish };
}

/** A tagged document: its root structure element, and `finish` that closes it and gives the bytes. */
export async function taggedPdf(options: PdfOptions) {
  const { doc, finish } = await newPdf(options, true);
  const root = doc.struct('Document');
  doc.addStructure(root);
  return {
    doc,
    root,
    finish: () => {
      root.end();
      return finish();
    },
  };
}

import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { formatDate } from '../../platform/paris-time.ts';
import { INK, newPdf, pdfText } from '../../platform/pdf.ts';
import type { Collection } from './collections.ts';
import { itemsOf } from './collections.ts';
import { markdownToPlain } from './markdown.ts';
import { blocksOf, findResource } from './service.ts';
import { LICENCES } from './vocabulary.ts';

/**
 * A collection as one PDF booklet for workshops without a screen: a cover, a table of contents
 * with page numbers, then each resource the reader may read, with its text, its links spelled
 * out with their addresses, its images and the names of its files. Standard fonts (WinAnsi):
 * characters outside that set are replaced.
 */

const MARGIN = 56;
const MUTED = '#555555';

// WinAnsi holds Latin-1 and a few typographic signs; anything else would print as garbage.
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const plain = (s: string) =>
  pdfText(s).replace(/[^\n\t\u0020-\u007e\u00a0-\u00ff]/g, (c) => (WIN_ANSI_EXTRA.includes(c) ? c : '?'));

export async function collectionBooklet(
  db: Db,
  actor: Actor,
  c: Collection,
  publicUrl: string,
): Promise<Buffer> {
  const items = await itemsOf(db, actor, c);
  const { doc, finish } = await newPdf({
    title: c.titre,
    author: c.owner_name,
    subject: 'Livret de ressources',
    margin: MARGIN,
    bufferPages: true,
  });
  const width = doc.page.width - 2 * MARGIN;

  // Cover
  doc.font('Helvetica-Bold').fontSize(26).fillColor(INK).text(plain(c.titre), MARGIN, 200, { width });
  doc.moveDown(0.8);
  if (c.description) doc.font('Helvetica').fontSize(13).text(plain(c.description), { width });
  doc.moveDown(1.5);
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor(MUTED)
    .text(plain(`Collection de ${c.owner_name} – ${items.length} ressource${items.length > 1 ? 's' : ''}`), {
      width,
    })
    .text(plain(`Livret imprimé le ${formatDate(new Date())}`), { width });

  // Table of contents: written after the resources, once their pages are known.
  doc.addPage();
  const tocPage = doc.bufferedPageRange().count - 1;
  const starts: number[] = [];

  for (const item of items) {
    doc.addPage();
    starts.push(doc.bufferedPageRange().count);
    const r = await findResource(db, item.id);
    if (!r) continue;
    doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(plain(r.titre), { width });
    doc.moveDown(0.3);
    doc
      .font('Helvetica')
      .fontSize(9.5)
      .fillColor(MUTED)
      .text(
        plain(
          `Par ${r.author_name}${r.contributors ? `, avec ${r.contributors}` : ''} – ${LICENCES[r.licence]}`,
        ),
        {
          width,
        },
      )
      .text(plain(`${publicUrl}/ressources/${r.id}`), { width });
    doc.moveDown(0.6);
    if (r.resume) doc.font('Helvetica-Oblique').fontSize(11).fillColor(INK).text(plain(r.resume), { width });
    const files = new Map(
      (
        await db
          .selectFrom('ressource_fichier')
          .select(['id', 'nom', 'content_type', 'size', 'bytes'])
          .where('ressource_id', '=', r.id)
          .execute()
      ).map((f) => [f.id, f]),
    );
    for (const b of await blocksOf(db, r.id)) {
      doc.moveDown(0.6);
      if (b.kind === 'titre_section') {
        doc
          .font('Helvetica-Bold')
          .fontSize(13.5)
          .fillColor(INK)
          .text(plain(b.titre ?? ''), { width });
      } else if (b.kind === 'texte') {
        doc
          .font('Helvetica')
          .fontSize(11)
          .fillColor(INK)
          .text(plain(markdownToPlain(b.texte ?? '')), { width });
      } else if (b.kind === 'lien') {
        doc
          .font('Helvetica-Bold')
          .fontSize(11)
          .fillColor(INK)
          .text(plain(`Lien : ${b.titre ?? ''}`), { width });
        if (b.texte) doc.font('Helvetica').fontSize(10.5).text(plain(b.texte), { width });
        doc
          .font('Helvetica')
          .fontSize(10)
          .fillColor(MUTED)
          .text(plain(b.url ?? ''), { width });
      } else if (b.kind === 'image') {
        const f = b.fichier_id ? files.get(b.fichier_id) : undefined;
        if (f && (f.content_type === 'image/png' || f.content_type === 'image/jpeg')) {
          if (doc.y > doc.page.height - MARGIN - 220) doc.addPage();
          doc.image(f.bytes, { fit: [width, 220] });
          doc.moveDown(0.2);
        }
        doc
          .font('Helvetica-Oblique')
          .fontSize(9.5)
          .fillColor(MUTED)
          .text(plain(b.titre || b.alt || ''), { width });
      } else if (b.kind === 'fichier') {
        const f = b.fichier_id ? files.get(b.fichier_id) : undefined;
        doc
          .font('Helvetica')
          .fontSize(10.5)
          .fillColor(INK)
          .text(
            plain(`Document joint : ${b.titre || f?.nom || ''} (à télécharger sur la page de la ressource)`),
            { width },
          );
      }
    }
  }

  doc.switchToPage(tocPage);
  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text('Sommaire', MARGIN, MARGIN, { width });
  doc.moveDown(0.8);
  items.forEach((item, i) => {
    doc
      .font('Helvetica')
      .fontSize(11.5)
      .fillColor(INK)
      .text(plain(`${i + 1}. ${item.titre}`), MARGIN, doc.y, { width: width - 50, continued: false });
    doc.text(`page ${starts[i] ?? ''}`, MARGIN + width - 50, doc.y - doc.currentLineHeight(true), {
      width: 50,
      align: 'right',
    });
  });
  if (items.length === 0)
    doc
      .font('Helvetica')
      .fontSize(11.5)
      .text('Cette collection ne contient encore aucune ressource.', { width });

  const range = doc.bufferedPageRange();
  for (let p = range.start + 1; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    doc.page.margins.bottom = 0; // the footer sits in the margin: no new page for it
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(`${p + 1} / ${range.count}`, MARGIN, doc.page.height - MARGIN + 20, {
        width,
        align: 'center',
        lineBreak: false,
      });
  }
  return finish();
}

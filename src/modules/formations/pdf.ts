import QRCode from 'qrcode';
import { formatDate, formatDateTime, formatDuration } from '../../platform/paris-time.ts';
import { A4, INK, pdfText, taggedPdf } from '../../platform/pdf.ts';

/**
 * The documents of trainings as A4 PDFs (pdfkit), tagged for screen readers: the certificate
 * with its verification code and QR code, and the sign-in sheet of a half-day.
 */

const MARGIN = 56;
const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN;

async function newDocument(title: string, subject: string) {
  const { doc, root, finish } = await taggedPdf({ title, subject, author: 'Relais', margin: MARGIN });
  const text = (type: string, s: string, font = 'Helvetica', size = 11, x = MARGIN, width = WIDTH) =>
    root.add(
      doc.struct(type, {}, () =>
        doc.font(font).fontSize(size).fillColor(INK).text(pdfText(s), x, doc.y, { width }),
      ),
    );
  return { doc, root, text, finish };
}

export type CertificateDocument = {
  name: string;
  titre: string;
  objectifs: string;
  debut: Date;
  fin: Date;
  minutes: number;
  issuer: string;
  code: string;
  verifyUrl: string;
  revoked: boolean;
};

export async function certificatePdf(c: CertificateDocument): Promise<Buffer> {
  const qr = await QRCode.toBuffer(c.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1 });
  const { doc, root, text, finish } = await newDocument('Attestation de formation', 'Formation');
  text('H1', 'Attestation de formation', 'Helvetica-Bold', 20);
  doc.moveDown(0.5);
  text('P', c.issuer);
  doc.moveDown(1);
  text('P', `${c.issuer} atteste que ${c.name} a suivi la formation :`);
  doc.moveDown(0.5);
  text('H2', c.titre, 'Helvetica-Bold', 14);
  doc.moveDown(0.5);
  const period =
    formatDate(c.debut) === formatDate(c.fin)
      ? `le ${formatDate(c.debut)}`
      : `du ${formatDate(c.debut)} au ${formatDate(c.fin)}`;
  text('P', `Dates : ${period}.`);
  text('P', `Durée suivie : ${formatDuration(c.minutes)}.`);
  doc.moveDown(0.5);
  text('H2', 'Objectifs et acquis', 'Helvetica-Bold', 12);
  text('P', c.objectifs);
  if (c.revoked) {
    doc.moveDown(0.5);
    text('P', 'Cette attestation a été révoquée.', 'Helvetica-Bold', 12);
  }
  doc.moveDown(1.5);
  if (doc.y + 110 > BOTTOM) doc.addPage();
  const y = doc.y;
  const sect = doc.struct('Sect');
  root.add(sect);
  sect.add(
    doc.struct('Figure', { alt: `QR code de la page de vérification : ${c.verifyUrl}` }, () =>
      doc.image(qr, MARGIN, y, { width: 90 }),
    ),
  );
  const x = MARGIN + 104;
  const w = WIDTH - 104;
  for (const [type, line, font] of [
    ['H2', 'Vérifier cette attestation', 'Helvetica-Bold'],
    ['P', `Code de vérification : ${c.code}`, 'Helvetica'],
    ['P', c.verifyUrl, 'Helvetica'],
    ['P', `Délivrée le ${formatDateTime(new Date())}.`, 'Helvetica'],
  ] as const) {
    sect.add(
      doc.struct(type, {}, () =>
        doc.font(font).fontSize(10).fillColor(INK).text(pdfText(line), x, Math.max(doc.y, y), { width: w }),
      ),
    );
    doc.moveDown(0.3);
  }
  sect.end();
  return finish();
}

export type SheetDocument = {
  titre: string;
  halfDay: { starts_at: Date; ends_at: Date };
  index: number;
  count: number;
  where: string;
  trainers: string[];
  learners: string[];
};

/** The sign-in sheet of a half-day: the learners and a signature box for each. */
export async function signInSheetPdf(s: SheetDocument): Promise<Buffer> {
  const { doc, root, text, finish } = await newDocument(`Feuille d’émargement — ${s.titre}`, 'Émargement');
  text('H1', 'Feuille d’émargement', 'Helvetica-Bold', 18);
  text('P', s.titre, 'Helvetica-Bold', 12);
  text(
    'P',
    `Demi-journée ${s.index} sur ${s.count} : ${formatDateTime(s.halfDay.starts_at)} – ${formatDateTime(s.halfDay.ends_at).split(' à ').at(-1)}`,
  );
  if (s.where) text('P', s.where);
  if (s.trainers.length) text('P', `Formateurs : ${s.trainers.join(', ')}`);
  doc.moveDown(1);
  const rowHeight = 34;
  const nameWidth = WIDTH * 0.55;
  const table = doc.struct('Table');
  root.add(table);
  const header = doc.struct('TR');
  table.add(header);
  const headY = doc.y;
  header.add(
    doc.struct('TH', {}, () =>
      doc
        .font('Helvetica-Bold')
        .fontSize(10)
        .text('Nom', MARGIN + 4, headY, { width: nameWidth - 8 }),
    ),
  );
  header.add(
    doc.struct('TH', {}, () =>
      doc
        .font('Helvetica-Bold')
        .fontSize(10)
        .text('Signature', MARGIN + nameWidth + 4, headY, { width: WIDTH - nameWidth - 8 }),
    ),
  );
  header.end();
  let y = headY + 18;
  for (const name of s.learners) {
    if (y + rowHeight > BOTTOM) {
      doc.addPage();
      y = MARGIN;
    }
    const row = doc.struct('TR');
    table.add(row);
    const top = y;
    row.add(
      doc.struct('TD', {}, () =>
        doc
          .font('Helvetica')
          .fontSize(10)
          .fillColor(INK)
          .text(pdfText(name), MARGIN + 4, top + 10, {
            width: nameWidth - 8,
            height: rowHeight - 10,
            ellipsis: true,
          }),
      ),
    );
    row.end();
    doc.markContent('Artifact', { type: 'Layout' });
    doc.rect(MARGIN, top, WIDTH, rowHeight).stroke('#4a4a4a');
    doc
      .moveTo(MARGIN + nameWidth, top)
      .lineTo(MARGIN + nameWidth, top + rowHeight)
      .stroke('#4a4a4a');
    doc.endMarkedContent();
    y += rowHeight;
  }
  table.end();
  doc.x = MARGIN;
  doc.y = y + 20;
  if (doc.y + 40 > BOTTOM) doc.addPage();
  text('P', 'Signature du formateur :', 'Helvetica', 10);
  return finish();
}

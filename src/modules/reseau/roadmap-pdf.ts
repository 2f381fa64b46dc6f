import { formatDay, formatMonth, parisToday } from '../../platform/paris-time.ts';
import { A4, INK, pdfText, taggedPdf } from '../../platform/pdf.ts';
import { type ActionDetail, money } from './action-finance.ts';
import type { RoadmapView } from './roadmap.ts';
import { grantDecision } from './roadmap-views.tsx';
import { budgetText, progressText } from './views.tsx';
import { ACTION_STATUSES, GRANT_STATUSES } from './vocabulary.ts';

/**
 * A roadmap printed for the council that adopts or follows it: each action with its status,
 * porteurs, budget and co-financings, grant requests and indicator with its computed progress
 * (the same rounded figures as the public page). Tagged (French, title, headings, lists) and
 * every line wrapped within the margins; a block moves to the next page whole when it fits one.
 */

const MARGIN = 56;
const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN;
const MUTED = '#4a4a4a';

type Finances = Pick<ActionDetail, 'porteurs' | 'cofinancements' | 'subventions'>;

export async function roadmapCouncilPdf(
  roadmap: RoadmapView,
  finances: Map<string, Finances>,
  opsn: string,
): Promise<Buffer> {
  const { doc, root, finish } = await taggedPdf({
    title: `Feuille de route : ${roadmap.nom}`,
    subject: 'Feuille de route du réseau territorial, pour le conseil',
    author: opsn,
    margin: MARGIN,
  });
  const room = (height: number) => {
    if (doc.y + height > BOTTOM) doc.addPage();
  };
  const text = (parent: PDFKit.PDFStructureElement, type: string, s: string, font: string, size: number) => {
    doc.font(font).fontSize(size);
    room(doc.heightOfString(pdfText(s), { width: WIDTH }));
    parent.add(
      doc.struct(type, {}, () => {
        doc
          .font(font)
          .fontSize(size)
          .fillColor(type === 'P' && size < 10 ? MUTED : INK)
          .text(pdfText(s), MARGIN, doc.y, { width: WIDTH });
      }),
    );
  };
  const list = (parent: PDFKit.PDFStructureElement, items: string[]) => {
    const l = doc.struct('L');
    parent.add(l);
    for (const item of items) {
      const li = doc.struct('LI');
      l.add(li);
      doc.font('Helvetica').fontSize(10);
      const s = pdfText(`– ${item}`);
      room(doc.heightOfString(s, { width: WIDTH - 12 }));
      li.add(
        doc.struct('LBody', {}, () => {
          doc
            .font('Helvetica')
            .fontSize(10)
            .fillColor(INK)
            .text(s, MARGIN + 12, doc.y, { width: WIDTH - 12 });
        }),
      );
      li.end();
    }
    l.end();
  };

  text(root, 'H1', `Feuille de route : ${roadmap.nom}`, 'Helvetica-Bold', 18);
  doc.moveDown(0.3);
  text(
    root,
    'P',
    [
      `Porteur : ${roadmap.porteur ?? opsn}.`,
      `Périmètre : ${roadmap.perimetre}.`,
      `${roadmap.actions.length} action${roadmap.actions.length > 1 ? 's' : ''}. Document établi le ${formatDay(parisToday())}.`,
    ].join(' '),
    'Helvetica',
    10.5,
  );
  if (roadmap.contexte) text(root, 'P', roadmap.contexte, 'Helvetica', 10.5);
  text(
    root,
    'P',
    'L’avancement de chaque action est calculé à partir des données de Relais, jamais saisi : nombres arrondis à 5 près chaque mois, délais publiés au-delà de 5 réponses.',
    'Helvetica',
    9,
  );

  for (const a of roadmap.actions) {
    const f = finances.get(a.id) ?? { porteurs: [], cofinancements: [], subventions: [] };
    const section = doc.struct('Sect');
    root.add(section);
    doc.moveDown(0.8);
    room(90);
    text(section, 'H2', a.titre, 'Helvetica-Bold', 13);
    doc.moveDown(0.2);
    list(section, [
      `Statut : ${ACTION_STATUSES[a.status]}`,
      `Période : ${formatDay(a.debut)} – ${formatDay(a.fin)}`,
      `Porteurs : ${f.porteurs.length ? f.porteurs.map((p) => p.nom).join(', ') : 'aucun'}`,
      `Budget : ${budgetText(a)}`,
      `Indicateur : ${progressText(a, formatMonth)}`,
    ]);
    if (f.cofinancements.length) {
      text(section, 'H3', 'Cofinancements', 'Helvetica-Bold', 10.5);
      list(
        section,
        f.cofinancements.map((c) => `${c.membre} : ${money(c.montant)}`),
      );
    }
    if (f.subventions.length) {
      text(section, 'H3', 'Demandes de subvention', 'Helvetica-Bold', 10.5);
      list(
        section,
        f.subventions.map(
          (g) =>
            `${g.financeur} : ${money(g.montant_demande)} demandés, déposée le ${formatDay(g.deposee_le)} — ${GRANT_STATUSES[g.status]}${g.status === 'acceptee' || g.status === 'refusee' ? ` (${grantDecision(g)})` : ''}`,
        ),
      );
    }
    section.end();
  }
  return finish();
}

import type { Db } from '../../platform/db/database.ts';
import { storeFile } from '../../platform/files.ts';
import { pdfText, taggedPdf } from '../../platform/pdf.ts';

/**
 * The demo roadmap's porteurs, co-financing, grant request and adopted document: its first
 * action carried by the first two members, co-financed by the second, with a grant filed.
 */
export async function seedRoadmapFinances(db: Db, roadmapId: string, members: string[], year: number) {
  const action = await db
    .selectFrom('reseau_action')
    .select('id')
    .where('feuille_route_id', '=', roadmapId)
    .where('titre', '=', 'Accompagner les habitants dans leurs démarches')
    .executeTakeFirstOrThrow();
  const [first, second] = members;
  if (first && second) {
    await db
      .insertInto('reseau_action_porteur')
      .values([
        { action_id: action.id, membre_id: first },
        { action_id: action.id, membre_id: second },
      ])
      .execute();
    await db
      .insertInto('reseau_cofinancement')
      .values({ action_id: action.id, membre_id: second, montant_euros: 10_000, created_by: null })
      .execute();
  }
  await db
    .insertInto('reseau_demande_subvention')
    .values({
      action_id: action.id,
      financeur: 'État (ANCT) — France Numérique Ensemble',
      montant_demande: 20_000,
      deposee_le: `${year}-02-15`,
      created_by: null,
    })
    .execute();
  const { doc, root, finish } = await taggedPdf({
    title: 'Feuille de route France Numérique Ensemble',
    subject: 'Document de démonstration',
    author: 'Relais',
    margin: 56,
  });
  root.add(
    doc.struct('H1', {}, () => {
      doc.font('Helvetica-Bold').fontSize(18).text(pdfText('Feuille de route France Numérique Ensemble'));
    }),
  );
  root.add(
    doc.struct('P', {}, () => {
      doc
        .font('Helvetica')
        .fontSize(11)
        .text(pdfText('Version adoptée par le comité de pilotage (démonstration).'));
    }),
  );
  const bytes = await finish();
  await db
    .insertInto('reseau_feuille_route_document')
    .values({
      feuille_route_id: roadmapId,
      version: 1,
      file_id: await storeFile(db, bytes, 'application/pdf'),
      nom: 'feuille-de-route-france-numerique-ensemble.pdf',
      taille: bytes.length,
      uploaded_by: null,
      uploaded_by_name: 'Coordination du réseau',
    })
    .execute();
}

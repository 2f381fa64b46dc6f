import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fullText, layoutProblems, pdfPages, pdfTags, structElements } from '../../../test/helpers/pdf.ts';
import { type AttestationDocument, attestationPdf } from './attestation.ts';
import { DEMARCHE_CODES, DEMARCHES } from './vocabulary.ts';

/**
 * The attestation PDF read back: its text stays inside the page and never runs over other
 * text (long names, every démarche, the signature area, the QR block), and it is tagged.
 */

const LONG = 'Marie-Bernadette Saint-Rémy-de-Bouzemont-Saint-Genest-et-Isson';
const fingerprint = 'ab'.repeat(32);

const document = (signatures: boolean): AttestationDocument => ({
  title: 'Attestation de mandat',
  issuer: `Maison France Services ${LONG}, 12 rue de la République prolongée, 69100 Villeurbanne`,
  sections: [
    {
      heading: 'Le mandat',
      paragraphs: [`${LONG}, née ou né le 12 mars 1948, donne mandat à ${LONG}, aidant habilité :`],
      items: DEMARCHE_CODES.map((d) => `${DEMARCHES[d].label} (par exemple : ${DEMARCHES[d].exemples})`),
    },
    { heading: 'Durée', paragraphs: ['Du 1 janvier 2026 à 10:00 au 1 janvier 2027 à 10:00.'] },
    {
      heading: 'Vos droits',
      paragraphs: Array.from({ length: 4 }, () => 'Vous pouvez révoquer ce mandat. '.repeat(8)),
    },
  ],
  fingerprint,
  verifyUrl: `https://relais.example.fr/mandats/verifier/${fingerprint}`,
  signatures: signatures ? ['Fait à Villeurbanne, le 1 janvier 2026', LONG, LONG] : [],
  footer:
    'Modèle 2026-01. Vérifiez à tout moment l’état de ce mandat à l’adresse ci-dessus ou avec le QR code.',
});

describe('attestation PDF', () => {
  for (const signatures of [true, false])
    test(`fits its pages and is tagged (${signatures ? 'signed on paper' : 'consent by SMS'})`, async () => {
      const pdf = await attestationPdf(document(signatures));
      assert.deepEqual(layoutProblems(pdf), []);
      assert.ok(pdfPages(pdf).length >= 1);
      const tags = pdfTags(pdf);
      assert.equal(tags.marked, true);
      assert.equal(tags.lang, 'fr-FR');
      assert.equal(tags.title, 'Attestation de mandat');
      assert.equal(tags.displayTitle, true);
      assert.deepEqual(
        tags.untagged.map((r) => r.text),
        [],
      );
      const elements = structElements(tags.tree ?? []);
      assert.deepEqual(
        elements.filter((e) => /^H\d$/.test(e.type)).map((e) => e.text),
        ['Attestation de mandat', 'Le mandat', 'Durée', 'Vos droits', 'Vérifier ce mandat'],
      );
      const items = (tags.tree ?? []).flatMap(function lis(e): string[] {
        return e.type === 'LI' ? [fullText(e)] : e.children.flatMap(lis);
      });
      assert.equal(items.length, DEMARCHE_CODES.length, 'one list item per démarche');
      assert.ok(
        elements.some((e) => e.type === 'Figure'),
        'the QR code is a figure',
      );
      const text = elements.map((e) => e.text).join(' ');
      assert.ok(text.includes(`Empreinte SHA-256 : ${fingerprint}`));
      assert.equal(text.includes(`Signature de la personne : ${LONG}`), signatures);
    });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMARCHES as REPORT_DEMARCHES } from '../activites/index.ts';
import { DEMARCHES } from './vocabulary.ts';

/** The same theme under its two national codes: the mandate's and the activity report's. */
const SAME_THEME = {
  papiers: 'papiers_elections_citoyennete',
  famille: 'famille_scolarite',
  social: 'social_sante',
  travail: 'travail_formation',
  logement: 'logement',
  transports: 'transports_mobilite',
  argent: 'argent_impots',
  justice: 'justice',
  etranger: 'etrangers_europe',
  loisirs: 'loisirs_sports_culture',
} as const satisfies Record<keyof typeof DEMARCHES, keyof typeof REPORT_DEMARCHES>;

test('a mandate names each démarche as the activity reports name the same theme', () => {
  for (const [code, reportCode] of Object.entries(SAME_THEME)) {
    const label = DEMARCHES[code as keyof typeof DEMARCHES].label;
    const reportLabel = REPORT_DEMARCHES[reportCode];
    // Aidants Connect's « argent » also covers consumption: the same words, and that one more.
    if (code === 'argent') assert.equal(label, `${reportLabel} – consommation`);
    else assert.equal(label, reportLabel, code);
  }
});

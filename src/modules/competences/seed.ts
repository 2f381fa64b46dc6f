import { sql } from 'kysely';
import type { ModuleContext } from '../../platform/module.ts';
import { lastWholeMonth } from './observatory.ts';
import { CURRENT, type Questionnaire } from './questionnaire.ts';
import { type Answers, nextQuestion, score } from './scoring.ts';
import { countDiagnosis } from './service.ts';

/** Answers that follow the path, each skill answered `level(i)` (0–3), the other questions their first choice. */
export function answersAt(
  q: Questionnaire,
  level: (i: number) => number,
  extra: Record<string, string> = {},
): Answers {
  const answers: Record<string, string> = {};
  for (let i = 0; i < 100; i++) {
    const next = nextQuestion(q, answers);
    if (!next) break;
    answers[next.id] =
      extra[next.id] ?? (next.kind === 'skill' ? String(level(i)) : (next.choices[0]?.value as string));
  }
  return answers;
}

/**
 * Demo counts for the observatory: a few dozen invented diagnostics over the last three whole
 * months in the demo communes (no person's result: only counts, as for anonymous diagnostics).
 */
export async function seedCompetences({ db }: ModuleContext): Promise<void> {
  const existing = await db
    .selectFrom('diagnostic_mois')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return;
  const communes = ['69259', '69266', '69256'];
  const last = lastWholeMonth();
  const [y, m] = last.split('-').map(Number) as [number, number];
  for (let back = 0; back < 3; back++) {
    const at = new Date(Date.UTC(y, m - 1 - back, 15, 12));
    for (const [ci, commune] of communes.entries()) {
      const n = 12 - 3 * ci + back;
      for (let k = 0; k < n; k++) {
        const base = (k + ci + back) % 4;
        const answers = answersAt(CURRENT, (i) => (base + i) % 4, {
          equipement: k % 5 === 0 ? 'aucun' : k % 2 ? 'smartphone' : 'smartphone|ordinateur',
          connexion: k % 4 === 0 ? 'donnees_mobiles' : 'internet_maison|donnees_mobiles',
        });
        await countDiagnosis(db, score(CURRENT, answers), commune, at);
      }
    }
  }
}

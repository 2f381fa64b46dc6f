import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CURRENT, DOMAIN_CODES, type Question } from './questionnaire.ts';
import { type Answers, checkAnswer, checkAnswers, nextQuestion, pathOf, score } from './scoring.ts';

/** A path through the questionnaire: each answer drawn from its question's choices. */
const answerOf = (question: Question, pick: number): string => {
  if (question.kind === 'skill') return String(pick % 4);
  if (question.kind === 'multi') {
    const others = question.choices.filter((c) => c.value !== question.none).map((c) => c.value);
    const chosen = others.filter((_, i) => (pick >> i) & 1);
    return chosen.length === 0 ? question.none : chosen.join('|');
  }
  return question.choices[pick % question.choices.length]?.value as string;
};

function walk(picks: readonly number[]): Answers {
  const answers: Record<string, string> = {};
  for (let i = 0; ; i++) {
    const next = nextQuestion(CURRENT, answers);
    if (!next) return answers;
    assert.ok(i < 100, 'the questionnaire ends');
    answers[next.id] = answerOf(next, picks[i % picks.length] ?? 0);
  }
}

const picks = fc.array(fc.nat(15), { minLength: 1, maxLength: 30 });

describe('the questionnaire, version v1', () => {
  test('every question is plain: under 20 words, one sentence', () => {
    for (const q of CURRENT.questions) {
      const words = q.text.split(/\s+/).filter((w) => /[\p{L}\d]/u.test(w));
      assert.ok(words.length < 20, `${q.id}: ${words.length} words`);
      assert.ok((q.text.match(/[.?!]/g) ?? []).length <= 1, `${q.id}: one sentence`);
    }
  });

  test('the 16 competences each have a question, and each domain a basic one', () => {
    const skills = CURRENT.questions.filter((q) => q.kind === 'skill');
    assert.equal(new Set(skills.map((q) => (q.kind === 'skill' ? q.competence : ''))).size, 16);
    for (const d of DOMAIN_CODES)
      assert.ok(skills.some((q) => q.kind === 'skill' && q.basic && q.competence.startsWith(`${d}.`)));
  });

  test('every path ends with a result whose levels are 0 to 5', () => {
    fc.assert(
      fc.property(picks, (p) => {
        const answers = walk(p);
        assert.deepEqual(checkAnswers(CURRENT, answers), { ok: true });
        const r = score(CURRENT, answers);
        for (const { level } of Object.values(r.levels))
          assert.ok(Number.isInteger(level) && level >= 0 && level <= 5);
        for (const d of DOMAIN_CODES) assert.ok(r.domains[d] >= 0 && r.domains[d] <= 5);
        assert.ok(['eloigne', 'debutant', 'autonome'].includes(r.profile));
      }),
    );
  });

  test('answering « Seul » instead of « Avec de l’aide » never lowers a level', () => {
    fc.assert(
      fc.property(picks, fc.nat(30), (p, which) => {
        const answers = walk(p);
        const helped = Object.entries(answers).filter(([id, v]) => /^c\d/.test(id) && v === '1');
        fc.pre(helped.length > 0);
        const [id] = helped[which % helped.length] as [string, string];
        const alone = { ...answers, [id]: '2' };
        assert.deepEqual(checkAnswers(CURRENT, alone), { ok: true });
        const before = score(CURRENT, answers);
        const after = score(CURRENT, alone);
        for (const [code, { level }] of Object.entries(before.levels))
          assert.ok((after.levels[code]?.level ?? 0) >= level, code);
        for (const d of DOMAIN_CODES) assert.ok(after.domains[d] >= before.domains[d]);
      }),
    );
  });

  test('when the basics of a domain are « Je ne sais pas », its advanced questions are skipped', () => {
    const answers = { equipement: 'smartphone', connexion: 'donnees_mobiles', c1_1: '0' };
    const path = pathOf(CURRENT, answers).map((q) => q.id);
    assert.ok(!path.includes('c1_2') && !path.includes('c1_3'));
    assert.equal(nextQuestion(CURRENT, answers)?.id, 'c2_1');
    // An answer to a skipped question is refused, as a tampered page.
    assert.equal(checkAnswers(CURRENT, { ...answers, c1_2: '3' }).ok, false);
  });

  test('an answer outside the choices, a skipped question or « aucun » with a device are refused', () => {
    const skill = CURRENT.questions.find((q) => q.id === 'c1_1') as Question;
    assert.equal(checkAnswer(skill, ['4']).ok, false);
    assert.equal(checkAnswer(skill, []).ok, false);
    assert.equal(checkAnswer(skill, ['1', '2']).ok, false);
    const equipment = CURRENT.questions.find((q) => q.id === 'equipement') as Question;
    assert.equal(checkAnswer(equipment, ['aucun', 'smartphone']).ok, false);
    assert.deepEqual(checkAnswer(equipment, ['ordinateur', 'smartphone']), {
      ok: true,
      value: 'smartphone|ordinateur',
    });
    assert.equal(checkAnswers(CURRENT, { equipement: 'smartphone', c1_1: '2' }).ok, false);
  });
});

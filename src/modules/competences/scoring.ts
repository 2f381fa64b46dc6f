import {
  COMPETENCES,
  type Condition,
  type Connection,
  DOMAIN_CODES,
  type Domain,
  type Equipment,
  type Question,
  type Questionnaire,
  type Rule,
  SKILL_MAX,
} from './questionnaire.ts';
import type { Profile } from './vocabulary.ts';

/**
 * The questionnaire's path and its scoring: pure functions of the questionnaire's version and
 * the answers, so that a result can always be recomputed, and tested with every path.
 */

/** Answers by question id; a multiple choice joins its values with `|`. */
export type Answers = Readonly<Record<string, string>>;

const skillValue = (answers: Answers, id: string): number | undefined => {
  const v = answers[id];
  return v === undefined ? undefined : Number(v);
};

/**
 * The questions that apply, in order, given the answers so far: the advanced questions of a
 * domain are skipped when every basic question of that domain was answered « Je ne sais pas ».
 */
export function pathOf(q: Questionnaire, answers: Answers): Question[] {
  const unknownBasics = new Set<Domain>();
  for (const domain of DOMAIN_CODES) {
    const basics = q.questions.filter(
      (x) => x.kind === 'skill' && x.basic && competenceDomain(x.competence) === domain,
    );
    if (basics.length > 0 && basics.every((b) => skillValue(answers, b.id) === 0)) unknownBasics.add(domain);
  }
  return q.questions.filter(
    (x) => x.kind !== 'skill' || x.basic || !unknownBasics.has(competenceDomain(x.competence)),
  );
}

const competenceDomain = (code: string): Domain => COMPETENCES.find((c) => c.code === code)?.domain ?? '1';

/** The next question to ask, or null when the questionnaire is done. */
export function nextQuestion(q: Questionnaire, answers: Answers): Question | null {
  return pathOf(q, answers).find((x) => answers[x.id] === undefined) ?? null;
}

/** Where the person stands: question `position` of about `total`. */
export function progressOf(q: Questionnaire, answers: Answers): { position: number; total: number } {
  const path = pathOf(q, answers);
  const answered = path.filter((x) => answers[x.id] !== undefined).length;
  return { position: Math.min(answered + 1, path.length), total: path.length };
}

export type Checked = { ok: true; value: string } | { ok: false; reason: string };

/** One answer as sent (one value, or several for a multiple choice), checked against its question. */
export function checkAnswer(question: Question, sent: readonly string[]): Checked {
  const values = [...new Set(sent.map((v) => v.trim()).filter(Boolean))];
  if (values.length === 0)
    return {
      ok: false,
      reason:
        question.kind === 'multi'
          ? 'Cochez au moins une réponse pour continuer.'
          : 'Choisissez une réponse pour continuer.',
    };
  const allowed = question.kind === 'skill' ? ['0', '1', '2', '3'] : question.choices.map((c) => c.value);
  if (values.some((v) => !allowed.includes(v)))
    return {
      ok: false,
      reason: 'Cette réponse n’est pas dans la liste : choisissez une des réponses proposées.',
    };
  if (question.kind !== 'multi' && values.length > 1)
    return { ok: false, reason: 'Choisissez une seule réponse.' };
  if (question.kind === 'multi' && values.includes(question.none) && values.length > 1) {
    const none = question.choices.find((c) => c.value === question.none)?.label ?? question.none;
    return { ok: false, reason: `« ${none} » ne va pas avec une autre réponse : décochez l’une ou l’autre.` };
  }
  const ordered = question.kind === 'multi' ? allowed.filter((v) => values.includes(v)) : values;
  return { ok: true, value: ordered.join('|') };
}

/**
 * The answers carried from page to page, checked again on each page (they come back from the
 * browser): each one answers a question on the path, in order, with one of its choices.
 */
export function checkAnswers(
  q: Questionnaire,
  answers: Answers,
): { ok: true } | { ok: false; reason: string } {
  const path = pathOf(q, answers);
  const ids = Object.keys(answers);
  const known = new Set(path.map((x) => x.id));
  if (ids.some((id) => !known.has(id)))
    return { ok: false, reason: 'Une réponse ne correspond à aucune question de ce questionnaire.' };
  const answeredPrefix = path.findIndex((x) => answers[x.id] === undefined);
  const prefix = answeredPrefix === -1 ? path.length : answeredPrefix;
  if (ids.length !== prefix)
    return { ok: false, reason: 'Une question a été sautée : reprenez à la question indiquée.' };
  for (const question of path.slice(0, prefix)) {
    const checked = checkAnswer(question, (answers[question.id] ?? '').split('|'));
    if (!checked.ok || checked.value !== answers[question.id])
      return { ok: false, reason: 'Une réponse n’est pas dans la liste des réponses proposées.' };
  }
  return { ok: true };
}

/** A result: a level 0–5 per competence and per domain, the profile, and what is not a skill. */
export type Result = {
  version: string;
  levels: Record<string, { level: number; digcomp: readonly string[] }>;
  domains: Record<Domain, number>;
  profile: Profile;
  equipment: Equipment[];
  connection: Connection[];
  autonomy: string | null;
  confidence: number | null;
  urgent: string | null;
};

/**
 * The scoring rule. A competence's level is its questions' weighted mean answer on 0–5
 * (rounded); a skipped question counts 0. A domain's level is its competences' mean (rounded).
 * The profile: `eloigne` when the mean of the domains is under 1.5 or the person has no device;
 * `autonome` when that mean is 3.5 or more, no domain is under 2 and the person has a device;
 * `debutant` otherwise.
 */
export function score(q: Questionnaire, answers: Answers): Result {
  const levels: Result['levels'] = {};
  for (const c of COMPETENCES) {
    const questions = q.questions.filter((x) => x.kind === 'skill' && x.competence === c.code);
    let got = 0;
    let max = 0;
    for (const x of questions) {
      if (x.kind !== 'skill') continue;
      got += x.weight * (skillValue(answers, x.id) ?? 0);
      max += x.weight * SKILL_MAX;
    }
    levels[c.code] = { level: max === 0 ? 0 : Math.round((5 * got) / max), digcomp: c.digcomp };
  }
  const domains = {} as Record<Domain, number>;
  for (const d of DOMAIN_CODES) {
    const of = COMPETENCES.filter((c) => c.domain === d).map((c) => levels[c.code]?.level ?? 0);
    domains[d] = Math.round(of.reduce((a, b) => a + b, 0) / of.length);
  }
  const split = (id: string) => (answers[id] ? (answers[id] as string).split('|') : []);
  const equipment = split('equipement') as Equipment[];
  const connection = split('connexion') as Connection[];
  const mean = DOMAIN_CODES.reduce((s, d) => s + domains[d], 0) / DOMAIN_CODES.length;
  const noDevice = equipment.includes('aucun');
  const profile: Profile =
    mean < 1.5 || noDevice
      ? 'eloigne'
      : mean >= 3.5 && DOMAIN_CODES.every((d) => domains[d] >= 2)
        ? 'autonome'
        : 'debutant';
  const urgent = answers.urgence && answers.urgence !== 'aucune' ? answers.urgence : null;
  return {
    version: q.version,
    levels,
    domains,
    profile,
    equipment,
    connection,
    autonomy: answers.autonomie ?? null,
    confidence: answers.confiance === undefined ? null : Number(answers.confiance),
    urgent,
  };
}

/** Whether a rule's condition holds for a result. */
export function holds(when: Condition, r: Result): boolean {
  switch (when.kind) {
    case 'domain':
      return r.domains[when.code] <= when.max;
    case 'competence':
      return (r.levels[when.code]?.level ?? 0) <= when.max;
    case 'domainsAtLeast':
      return DOMAIN_CODES.every((d) => r.domains[d] >= when.min);
    case 'equipment':
      return r.equipment.includes(when.value);
    case 'connection':
      return r.connection.includes(when.value);
    case 'urgent':
      return r.urgent !== null;
  }
}

/** The rules that apply to a result, in the questionnaire's order. */
export const rulesFor = (q: Questionnaire, r: Result): Rule[] =>
  q.rules.filter((rule) => holds(rule.when, r));

/** The competences a person already masters (level 3 or more), strongest first. */
export const strengthsOf = (r: Result): string[] =>
  Object.entries(r.levels)
    .filter(([, v]) => v.level >= 3)
    .sort((a, b) => b[1].level - a[1].level)
    .map(([code]) => code);

/** The domains by level, weakest first (ties in domain order). */
export const weakestDomains = (domains: Record<Domain, number>): Domain[] =>
  [...DOMAIN_CODES].sort((a, b) => domains[a] - domains[b] || Number(a) - Number(b));

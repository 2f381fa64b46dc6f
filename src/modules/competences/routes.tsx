import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { ANONYMOUS } from '../../platform/auth/policy.ts';
import { csvText } from '../../platform/csv.ts';
import { type Fields, lastValue, type RouteInput } from '../../platform/forms.ts';
import { normaliseMobile, notifierFor } from '../../platform/messaging/index.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDateTime, parisToday } from '../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { displayNameOf, personChoiceLabel, recentBeneficiaries } from '../beneficiaires/index.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { observeDiagnostics, offeredMonths, parseObservedPeriod } from './observatory.ts';
import { ObservatoryPage } from './observatory-view.tsx';
import {
  COMPETENCES,
  CURRENT,
  DOMAIN_CODES,
  DOMAINS,
  type Question,
  type Questionnaire,
} from './questionnaire.ts';
import {
  type Answers,
  checkAnswer as checkAnswerOf,
  checkAnswers,
  nextQuestion,
  pathOf,
  progressOf,
  type Result,
  score,
} from './scoring.ts';
import {
  communeOfTyped,
  countPassage,
  type NextSteps,
  nextSteps,
  personDiagnoses,
  questionnaireOf,
  recordDiagnosis,
  visiblePerson,
} from './service.ts';
import {
  CommunePage,
  ConsentPage,
  IntroPage,
  PeoplePage,
  PersonPage,
  QuestionPage,
  RestartPage,
  ResultPage,
} from './views.tsx';
import { MODES, type Mode, PROFILES } from './vocabulary.ts';

const START = '/competences/diagnostic';
const PUBLIC_CRUMBS: Crumb[] = [{ href: '/competences', label: 'Compétences numériques' }];
const HELPER_CRUMBS: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/competences/personnes', label: 'Diagnostics' },
];

/** What one page of the questionnaire sent back: the version, the answers so far, this page's answer. */
type Sent = {
  version: string;
  answers: Answers;
  question: string | undefined;
  values: string[];
  back: boolean;
};

function sentOf(body: Fields | undefined): Sent {
  const fields = body ?? {};
  const answers: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith('r_')) continue;
    const v = lastValue(value);
    if (v !== undefined) answers[key.slice(2)] = v;
  }
  const raw = fields.reponse;
  const values = raw === undefined ? [] : [raw].flat().filter((v): v is string => typeof v === 'string');
  return {
    version: lastValue(fields.version) ?? '',
    answers,
    question: lastValue(fields.question),
    values,
    back: lastValue(fields.retour) === 'oui',
  };
}

/** Where the questionnaire goes from a page: a question to (re)ask, the end, or a restart. */
type Step =
  | { kind: 'restart'; reason: string }
  | { kind: 'ask'; q: Questionnaire; question: Question; answers: Answers; checked: string[]; error?: string }
  | { kind: 'done'; q: Questionnaire; answers: Answers; atCommune: boolean };

function advance(sent: Sent): Step {
  const q = questionnaireOf(sent.version);
  if (!q)
    return {
      kind: 'restart',
      reason: 'Ce questionnaire n’existe pas ou a changé pendant que vous répondiez : recommencez-le.',
    };
  const checked = checkAnswers(q, sent.answers);
  if (!checked.ok) return { kind: 'restart', reason: checked.reason };
  if (sent.back) {
    const answered = pathOf(q, sent.answers).filter((x) => sent.answers[x.id] !== undefined);
    const last = answered[answered.length - 1];
    if (!last) return ask(q, sent.answers, []);
    const { [last.id]: previous, ...rest } = sent.answers;
    return { kind: 'ask', q, question: last, answers: rest, checked: (previous ?? '').split('|') };
  }
  const expected = nextQuestion(q, sent.answers);
  if (!expected) return { kind: 'done', q, answers: sent.answers, atCommune: sent.question === 'commune' };
  if (sent.question !== expected.id)
    return { ...ask(q, sent.answers, []), error: 'Répondez d’abord à cette question.' };
  const answer = checkAnswerOf(expected, sent.values);
  if (!answer.ok) return { ...ask(q, sent.answers, sent.values), error: answer.reason };
  const answers = { ...sent.answers, [expected.id]: answer.value };
  const next = nextQuestion(q, answers);
  return next ? ask(q, answers, []) : { kind: 'done', q, answers, atCommune: false };
}

function ask(q: Questionnaire, answers: Answers, checked: string[]): Extract<Step, { kind: 'ask' }> {
  return {
    kind: 'ask',
    q,
    question: nextQuestion(q, answers) ?? (q.questions[0] as Question),
    answers,
    checked,
  };
}

/** Pages with answers on them are never stored by a browser or a proxy. */
function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
}

const destinationSchema = z.email();

/** The result as an email's text or an SMS. */
function resultText(r: Result, steps: NextSteps): { text: string; sms: string } {
  const places = steps.services.flatMap((s) =>
    s.places.slice(0, 1).map((p) => `${p.nom}, ${p.adresse}, ${p.commune}`),
  );
  const lines = [
    'Votre diagnostic de compétences numériques',
    '',
    `Profil : ${PROFILES[r.profile]}`,
    '',
    'Vos niveaux (de 0 à 5) :',
    ...DOMAIN_CODES.map((d) => `- ${DOMAINS[d]} : ${r.domains[d]}`),
    '',
    'Où trouver de l’aide près de chez vous :',
    ...(places.length ? places.map((p) => `- ${p}`) : ['- l’annuaire des lieux : /lieux']),
    ...(steps.resources.length
      ? ['', 'Pour apprendre seul :', ...steps.resources.map((res) => `- ${res.title} : ${res.href}`)]
      : []),
    '',
    'Ce message a été envoyé à votre demande. Nous ne gardons ni votre résultat, ni votre adresse.',
  ];
  const sms = `Votre diagnostic numérique : profil ${PROFILES[r.profile]}.${places[0] ? ` Aide près de chez vous : ${places[0]}.` : ''}`;
  return { text: lines.join('\n'), sms };
}

export function competencesRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  // ------------------------------------------------------------ the public questionnaire

  app.get('/competences', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page({ title: 'Faire le point sur mes compétences numériques' }, <IntroPage />),
  );

  const questionPage = (
    reply: FastifyReply,
    step: Extract<Step, { kind: 'ask' }>,
    action: string,
    extra?: Record<string, string>,
    crumbs: Crumb[] = PUBLIC_CRUMBS,
  ) => {
    const progress = progressOf(step.q, step.answers);
    return reply.page(
      {
        title: `Question ${progress.position} sur ${progress.total} : ${step.question.text}`,
        breadcrumbs: crumbs,
        status: step.error ? 400 : 200,
        hasErrors: Boolean(step.error),
      },
      <QuestionPage
        q={step.q}
        question={step.question}
        answers={step.answers}
        progress={progress}
        action={action}
        csrf={reply.generateCsrf()}
        extra={extra}
        checked={step.checked}
        error={step.error}
      />,
    );
  };

  const restartPage = (reply: FastifyReply, reason: string, start: string) =>
    reply.page(
      { title: 'Le questionnaire ne peut pas continuer', breadcrumbs: PUBLIC_CRUMBS, status: 400 },
      <RestartPage reason={reason} start={start} />,
    );

  app.get(START, { config: { access: 'public' } }, async (_request, reply) => {
    privatePage(reply);
    return questionPage(reply, ask(CURRENT, {}, []), START);
  });

  const resultPage = async (
    reply: FastifyReply,
    q: Questionnaire,
    answers: Answers,
    commune: { typed: string; code: string | null; name: string | null },
    shown: {
      flash?: string;
      sendErrors?: FieldErrors;
      sendValues?: Record<string, string>;
      status?: number;
    } = {},
  ) => {
    const r = score(q, answers);
    const steps = await nextSteps(db, q, r, commune.code);
    return reply.page(
      {
        title: 'Votre résultat',
        breadcrumbs: PUBLIC_CRUMBS,
        status: shown.status ?? 200,
        hasErrors: Boolean(shown.sendErrors),
      },
      <ResultPage
        q={q}
        answers={answers}
        r={r}
        steps={steps}
        commune={{ typed: commune.typed, name: commune.name }}
        csrf={reply.generateCsrf()}
        flash={shown.flash}
        sendErrors={shown.sendErrors}
        sendValues={shown.sendValues}
      />,
    );
  };

  app.post<RouteInput>(
    START,
    { config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } } },
    async (request, reply) => {
      privatePage(reply);
      const step = advance(sentOf(request.body));
      if (step.kind === 'restart') return restartPage(reply, step.reason, START);
      if (step.kind === 'ask') return questionPage(reply, step, START);
      const typed = (lastValue(request.body?.commune) ?? '').trim();
      const passage = lastValue(request.body?.passage);
      if (!step.atCommune)
        return reply.page(
          { title: 'Dernière question : où habitez-vous ?', breadcrumbs: PUBLIC_CRUMBS },
          <CommunePage
            q={step.q}
            answers={step.answers}
            action={START}
            csrf={reply.generateCsrf()}
            passage={randomUUID()}
          />,
        );
      const commune = communeOfTyped(typed);
      if (!commune.ok)
        return reply.page(
          {
            title: 'Dernière question : où habitez-vous ?',
            breadcrumbs: PUBLIC_CRUMBS,
            status: 400,
            hasErrors: true,
          },
          <CommunePage
            q={step.q}
            answers={step.answers}
            action={START}
            csrf={reply.generateCsrf()}
            passage={passage ?? randomUUID()}
            value={typed}
            error={commune.reason}
          />,
        );
      // Only counted, once per pass: the answers go back to the person's browser and nowhere else.
      await countPassage(db, passage, score(step.q, step.answers), commune.code);
      return resultPage(reply, step.q, step.answers, { typed, code: commune.code, name: commune.name });
    },
  );

  app.post<RouteInput>(
    '/competences/resultat/envoi',
    { config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } } },
    async (request, reply) => {
      privatePage(reply);
      const sent = sentOf(request.body);
      const step = advance({ ...sent, question: 'commune', values: [], back: false });
      if (step.kind !== 'done')
        return restartPage(
          reply,
          'Les réponses de ce résultat sont incomplètes : recommencez le questionnaire.',
          START,
        );
      const typed = (lastValue(request.body?.commune) ?? '').trim();
      const commune = communeOfTyped(typed);
      if (!commune.ok) return restartPage(reply, commune.reason, START);
      const where = { typed, code: commune.code, name: commune.name };
      const to = (lastValue(request.body?.destinataire) ?? '').trim();
      const phone = normaliseMobile(to);
      const email = !phone && destinationSchema.safeParse(to).success ? to : null;
      if (!phone && !email)
        return resultPage(reply, step.q, step.answers, where, {
          status: 400,
          sendValues: { destinataire: to.slice(0, 200) },
          sendErrors: {
            destinataire: to
              ? 'Saisissez une adresse e-mail (prenom.nom@exemple.fr) ou un numéro de portable (06 ou 07).'
              : 'Saisissez votre adresse e-mail ou votre numéro de portable.',
          },
        });
      const r = score(step.q, step.answers);
      const message = resultText(r, await nextSteps(db, step.q, r, commune.code));
      try {
        const delivery = await notifierFor(db, config).notify(phone ? { phone } : { email }, {
          subject: 'Votre diagnostic de compétences numériques',
          text: message.text,
          sms: message.sms,
        });
        await audit(db, {
          actor: ANONYMOUS,
          action: 'skill.send',
          ip: request.ip,
          details: { canal: delivery.channel },
        });
      } catch {
        return resultPage(reply, step.q, step.answers, where, {
          status: 502,
          sendValues: { destinataire: to.slice(0, 200) },
          sendErrors: {
            destinataire: 'Le message n’a pas pu partir. Réessayez plus tard, ou imprimez cette page.',
          },
        });
      }
      return resultPage(reply, step.q, step.answers, where, {
        flash: phone ? 'Votre résultat est envoyé par SMS.' : 'Votre résultat est envoyé par courriel.',
      });
    },
  );

  // ------------------------------------------------------------ the observatory

  app.get<RouteInput>(
    '/competences/observatoire',
    { config: { access: 'public' } },
    async (request, reply) => {
      const parsed = parseObservedPeriod(lastValue(request.query.mois));
      const period = parsed.ok
        ? parsed.period
        : (parseObservedPeriod(undefined) as { ok: true; period: never }).period;
      const figures = await observeDiagnostics(db, period);
      return reply.page(
        {
          title: 'Les compétences numériques sur le territoire',
          breadcrumbs: PUBLIC_CRUMBS,
          status: parsed.ok ? 200 : 400,
          hasErrors: !parsed.ok,
        },
        <ObservatoryPage
          period={period}
          months={offeredMonths()}
          {...figures}
          error={parsed.ok ? undefined : parsed.reason}
        />,
      );
    },
  );

  // ------------------------------------------------------------ helpers, with a person they accompany

  app.get('/competences/personnes', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const people = await recentBeneficiaries(db, helper, 50);
    await audit(db, {
      actor: helper.actor,
      action: 'skill.list',
      collectiviteId: helper.collectiviteId,
      ip: request.ip,
      details: { affiches: people.map((p) => p.id) },
    });
    return reply.page(
      { title: 'Diagnostics de compétences', breadcrumbs: [HELPER_CRUMBS[0] as Crumb] },
      <PeoplePage people={people.map((p) => ({ id: p.id, label: personChoiceLabel(p) }))} />,
    );
  });

  app.get<RouteInput<'beneficiaire'>>(
    '/competences/personnes/:beneficiaire',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const found = await personDiagnoses(db, helper, request.params.beneficiaire, { ip: request.ip });
      if (!found) return reply.callNotFound();
      const name = displayNameOf(found.person);
      return reply.page(
        { title: `Compétences numériques de ${name}`, breadcrumbs: HELPER_CRUMBS },
        <PersonPage
          personId={found.person.id}
          name={name}
          diagnoses={found.diagnoses}
          flash={
            lastValue(request.query.ok) === 'enregistre'
              ? 'Le diagnostic est enregistré dans la fiche.'
              : undefined
          }
        />,
      );
    },
  );

  app.get<RouteInput<'beneficiaire'>>(
    '/competences/personnes/:beneficiaire/diagnostics.csv',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const found = await personDiagnoses(
        db,
        helper,
        request.params.beneficiaire,
        { ip: request.ip },
        'skill.export',
      );
      if (!found) return reply.callNotFound();
      const header = [
        'date',
        'version',
        'mode',
        'profil',
        ...DOMAIN_CODES.map((d) => `domaine_${d}`),
        ...COMPETENCES.map((c) => `competence_${c.code}`),
        'equipement',
        'connexion',
      ];
      const rows = found.diagnoses.map((d) => [
        formatDateTime(d.created_at),
        d.version,
        d.mode,
        d.result.profile,
        ...DOMAIN_CODES.map((x) => String(d.result.domains[x])),
        ...COMPETENCES.map((c) => String(d.result.levels[c.code]?.level ?? 0)),
        d.result.equipment.join('|'),
        d.result.connection.join('|'),
      ]);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="diagnostics-${parisToday()}.csv"`)
        .header('cache-control', 'private, no-store')
        .send(csvText([header, ...rows]));
    },
  );

  const consentOf = (
    fields: Fields | undefined,
  ): { ok: true; mode: Mode } | { ok: false; errors: FieldErrors } => {
    const mode = lastValue(fields?.mode);
    const errors: FieldErrors = {};
    if (!mode || !Object.hasOwn(MODES, mode)) errors.mode = 'Dites comment vous faites le questionnaire.';
    if (lastValue(fields?.accord) !== 'oui')
      errors.accord = 'Sans l’accord de la personne, faites le questionnaire public : rien n’est gardé.';
    return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, mode: mode as Mode };
  };

  app.get<RouteInput<'beneficiaire'>>(
    '/competences/personnes/:beneficiaire/diagnostic',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const person = await visiblePerson(db, helper, request.params.beneficiaire);
      if (!person) return reply.callNotFound();
      const name = displayNameOf(person);
      return reply.page(
        { title: `Diagnostic des compétences de ${name}`, breadcrumbs: HELPER_CRUMBS },
        <ConsentPage
          name={name}
          action={`/competences/personnes/${person.id}/diagnostic`}
          csrf={reply.generateCsrf()}
          errors={{}}
          values={{}}
        />,
      );
    },
  );

  app.post<RouteInput<'beneficiaire'>>(
    '/competences/personnes/:beneficiaire/diagnostic',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const person = await visiblePerson(db, helper, request.params.beneficiaire);
      if (!person) return reply.callNotFound();
      const action = `/competences/personnes/${person.id}/diagnostic`;
      const crumbs = [
        ...HELPER_CRUMBS,
        { href: `/competences/personnes/${person.id}`, label: displayNameOf(person) },
      ];
      const consent = consentOf(request.body);
      const sent = sentOf(request.body);
      if (sent.question === undefined) {
        if (!consent.ok)
          return reply.page(
            {
              title: `Diagnostic des compétences de ${displayNameOf(person)}`,
              breadcrumbs: crumbs,
              status: 400,
              hasErrors: true,
            },
            <ConsentPage
              name={displayNameOf(person)}
              action={action}
              csrf={reply.generateCsrf()}
              errors={consent.errors}
              values={{
                mode: lastValue(request.body?.mode) ?? '',
                accord: lastValue(request.body?.accord) ?? '',
              }}
            />,
          );
        return questionPage(
          reply,
          ask(CURRENT, {}, []),
          action,
          { mode: consent.mode, accord: 'oui' },
          crumbs,
        );
      }
      if (!consent.ok) return restartPage(reply, 'L’accord de la personne manque : recommencez.', action);
      const step = advance(sent);
      if (step.kind === 'restart') return restartPage(reply, step.reason, action);
      if (step.kind === 'ask')
        return questionPage(reply, step, action, { mode: consent.mode, accord: 'oui' }, crumbs);
      const saved = await recordDiagnosis(db, helper, person.id, consent.mode, step.q, step.answers, {
        ip: request.ip,
      });
      if (!saved.ok) return reply.callNotFound();
      return reply.redirect(`/competences/personnes/${person.id}?ok=enregistre`, 303);
    },
  );
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit/journal.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { formatDateTime } from '../paris-time.ts';
import { CsrfField, fieldId, Notice } from '../ui/components.tsx';
import { answerRegistry, receiveSmsAnswer, type SmsAnswerHandler } from './answers.ts';
import { maskPhone, normaliseMobile } from './phone.ts';
import { verifyCallback } from './sms.ts';

export const CALLBACK_PATH = '/api/sms/reponses';
const OUTBOX_PATH = '/admin/sms';
/** A provider's callback is a few hundred bytes; nothing bigger is read. */
const CALLBACK_BODY_LIMIT = 16 * 1024;
/** An SMS answer, even a long one split in parts, stays below this. */
const MAX_TEXT = 1600;

const callbackSchema = z.object({
  id: z.string().trim().min(1).max(200),
  from: z.string().trim().min(1).max(40),
  text: z.string().max(MAX_TEXT),
});

const replySchema = z.object({
  telephone: z.string().trim().max(40).default(''),
  texte: z.string().trim().max(MAX_TEXT).default(''),
});

/** What an administrator is told after answering in a person's name, besides the handlers' results. */
const PLATFORM_RESULTS: Record<string, string> = {
  sans_demande: 'Réponse transmise, sans effet : aucune demande en attente pour ce numéro.',
  rejoue: 'Cette réponse avait déjà été reçue : rien n’a changé.',
};

/**
 * The SMS routes: the provider's signed callback, whose answers go to the handler of the
 * purpose they answer, and the development provider's outbox for administrators.
 */
export function registerMessaging(
  app: FastifyInstance,
  { db, config, handlers }: { db: Db; config: Config; handlers: SmsAnswerHandler[] },
): void {
  const registry = answerRegistry(handlers);
  const results: Record<string, string> = Object.assign(
    {},
    ...handlers.map((h) => h.results),
    PLATFORM_RESULTS,
  );
  const resultLabel = (value: unknown) =>
    typeof value === 'string' && Object.hasOwn(results, value) ? results[value] : undefined;

  // The provider's callback. Its own scope reads JSON as the raw text: the signature covers
  // the exact bytes sent, which a parsed-and-reserialised object would not reproduce.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      CALLBACK_PATH,
      {
        bodyLimit: CALLBACK_BODY_LIMIT,
        config: { access: 'signed-callback', rateLimit: { max: 120, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : undefined;
        const signed =
          raw !== undefined &&
          verifyCallback(
            config.sms.callbackSecret,
            request.headers['x-relais-timestamp'],
            request.headers['x-relais-signature'],
            raw,
          );
        if (!signed) {
          request.log.warn(
            config.sms.callbackSecret
              ? 'SMS callback refused: missing, wrong or stale signature'
              : 'SMS callback refused: SMS_CALLBACK_SECRET is not set, no callback is trusted',
          );
          return reply.status(401).send({
            erreur:
              'Signature absente, invalide ou trop ancienne : la réponse est ignorée (en-têtes X-Relais-Timestamp et X-Relais-Signature).',
          });
        }
        const parsed = callbackSchema.safeParse(parseJson(raw));
        if (!parsed.success) {
          return reply.status(400).send({
            erreur: 'Corps invalide : un objet JSON { "id", "from", "text" } est attendu.',
          });
        }
        const { id, from, text } = parsed.data;
        const resultat = await receiveSmsAnswer(db, registry, { from, text, messageId: id });
        if (resultat === 'rejoue') {
          return reply
            .status(409)
            .send({ resultat, erreur: 'Ce message a déjà été traité : rien n’a changé.' });
        }
        return reply.status(200).send({ resultat });
      },
    );
  });

  // The development provider's outbox: what would have been sent, and the person's answer.
  const outboxPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    notice: { result?: string | undefined; problem?: { telephone: string; message: string } } = {},
  ) => {
    const numbers = await outboxByNumber(db, handlers);
    await audit(db, { actor: request.actor, action: 'sms.outbox.read', ip: request.ip });
    return reply.header('cache-control', 'no-store').page(
      {
        title: 'SMS envoyés (développement)',
        breadcrumbs: [{ href: '/espace', label: 'Mon espace' }],
        hasErrors: Boolean(notice.problem),
        status: notice.problem ? 400 : 200,
      },
      <SmsOutboxPage
        numbers={numbers}
        csrf={reply.generateCsrf()}
        result={notice.result}
        problem={notice.problem}
      />,
    );
  };

  app.get<{ Querystring: { resultat?: unknown } | undefined }>(
    OUTBOX_PATH,
    { config: { access: 'admin' } },
    async (request, reply) => {
      if (config.sms.provider !== 'dev') return reply.callNotFound();
      const result = request.query?.resultat;
      return outboxPage(request, reply, { result: resultLabel(result) });
    },
  );

  app.post(`${OUTBOX_PATH}/repondre`, { config: { access: 'admin' } }, async (request, reply) => {
    if (config.sms.provider !== 'dev') return reply.callNotFound();
    const form = replySchema.safeParse(request.body ?? {});
    const typedPhone = form.success ? form.data.telephone : '';
    const phone = normaliseMobile(typedPhone);
    if (!form.success || !phone)
      return outboxPage(request, reply, {
        problem: { telephone: typedPhone, message: 'Ce numéro n’est pas un numéro de portable.' },
      });
    if (form.data.texte === '')
      return outboxPage(request, reply, {
        problem: {
          telephone: phone,
          message: 'Saisissez la réponse de la personne, par exemple « Oui ».',
        },
      });
    const resultat = await receiveSmsAnswer(db, registry, {
      from: phone,
      text: form.data.texte,
      messageId: `dev-in-${randomUUID()}`,
    });
    await audit(db, {
      actor: request.actor,
      action: 'sms.reponse_simulee',
      ip: request.ip,
      details: { telephone: maskPhone(phone), resultat },
    });
    return reply.redirect(`${OUTBOX_PATH}?resultat=${resultat}`, 303);
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

type OutboxNumber = {
  telephone: string;
  messages: { id: number; texte: string; createdAt: Date }[];
  /** When the open consent request of this number expires, if one is open. */
  pendingUntil: Date | undefined;
};

/** The last messages of the outbox, by number: the most recently written-to number first. */
async function outboxByNumber(db: Db, handlers: SmsAnswerHandler[]): Promise<OutboxNumber[]> {
  const rows = await db.selectFrom('sms_outbox').selectAll().orderBy('id', 'desc').limit(200).execute();
  const byNumber = new Map<string, OutboxNumber>();
  for (const r of rows) {
    let entry = byNumber.get(r.telephone);
    if (!entry) {
      entry = { telephone: r.telephone, messages: [], pendingUntil: undefined };
      byNumber.set(r.telephone, entry);
    }
    entry.messages.push({ id: r.id, texte: r.texte, createdAt: r.created_at });
  }
  if (byNumber.size > 0) {
    for (const handler of handlers) {
      for (const [phone, until] of await handler.awaiting(db, [...byNumber.keys()])) {
        const entry = byNumber.get(phone);
        if (entry && (!entry.pendingUntil || until > entry.pendingUntil)) entry.pendingUntil = until;
      }
    }
  }
  return [...byNumber.values()];
}

function SmsOutboxPage(props: {
  numbers: OutboxNumber[];
  csrf: string;
  /** What came of the last answer, in French. */
  result?: string | undefined;
  problem?: { telephone: string; message: string } | undefined;
}): JSX.Element {
  const problemIndex = props.problem
    ? props.numbers.findIndex((n) => n.telephone === props.problem?.telephone)
    : -1;
  return (
    <>
      <h1>SMS envoyés (développement)</h1>
      <p>
        Le fournisseur de SMS de développement (<code>SMS_PROVIDER=dev</code>) n’envoie rien : les messages
        restent ici. Pour essayer l’accord à distance, répondez au nom de la personne : « Oui » accepte la
        demande, toute autre réponse la refuse.
      </p>
      {props.problem ? (
        <div class="error-summary" role="alert" aria-labelledby="resume-erreurs" tabindex="-1">
          <h2 id="resume-erreurs">Il y a un problème</h2>
          <ul>
            <li>
              {problemIndex >= 0 ? (
                <a href={`#${fieldId(`texte-${problemIndex}`)}`} safe>
                  {props.problem.message}
                </a>
              ) : (
                <span safe>{props.problem.message}</span>
              )}
            </li>
          </ul>
        </div>
      ) : (
        ''
      )}
      {props.result ? (
        <Notice kind="success">
          <p safe>{props.result}</p>
        </Notice>
      ) : (
        ''
      )}
      {props.numbers.length === 0 ? <p>Aucun SMS.</p> : ''}
      {props.numbers.map((n, index) => (
        <NumberSection
          number={n}
          index={index}
          csrf={props.csrf}
          error={index === problemIndex ? props.problem?.message : undefined}
        />
      ))}
    </>
  );
}

function NumberSection(props: {
  number: OutboxNumber;
  index: number;
  csrf: string;
  error: string | undefined;
}): JSX.Element {
  const { number: n, index } = props;
  const id = fieldId(`texte-${index}`);
  const describedBy = [`${id}-aide`, props.error ? `${id}-erreur` : ''].filter(Boolean).join(' ');
  return (
    <section class="card" aria-labelledby={`numero-${index}`}>
      <h2 class="h3" id={`numero-${index}`} safe>
        {n.telephone}
      </h2>
      <p safe>
        {n.pendingUntil
          ? `Une demande d’accord attend la réponse de ce numéro jusqu’au ${formatDateTime(n.pendingUntil, 'long', true)}.`
          : 'Aucune demande en attente pour ce numéro.'}
      </p>
      <div class="table-wrap">
        <table>
          <caption safe>{`Messages envoyés au ${n.telephone}, les plus récents d’abord`}</caption>
          <thead>
            <tr>
              <th scope="col">Envoyé le</th>
              <th scope="col">Texte</th>
            </tr>
          </thead>
          <tbody>
            {n.messages.map((m) => (
              <tr>
                <td safe>{formatDateTime(m.createdAt, 'long', true)}</td>
                <td safe>{m.texte}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action={`${OUTBOX_PATH}/repondre`} class="inline-form">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="telephone" value={n.telephone} />
        <div class={props.error ? 'field field--error' : 'field'}>
          <label for={id}>
            Répondre au nom de la personne
            <span class="visually-hidden" safe>{` (${n.telephone})`}</span>
          </label>
          <span class="field__hint" id={`${id}-aide`}>
            Par exemple « Oui »
          </span>
          {props.error ? (
            <span class="field__error" id={`${id}-erreur`}>
              <span class="visually-hidden">Erreur : </span>
              <span safe>{props.error}</span>
            </span>
          ) : (
            ''
          )}
          <input
            id={id}
            name="texte"
            type="text"
            value=""
            autocomplete="off"
            maxlength={String(MAX_TEXT)}
            aria-describedby={describedBy}
            aria-invalid={props.error ? 'true' : undefined}
          />
        </div>
        <button type="submit" class="button">
          Envoyer la réponse<span class="visually-hidden" safe>{` du ${n.telephone}`}</span>
        </button>
      </form>
    </section>
  );
}

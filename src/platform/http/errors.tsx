import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, ForbiddenError } from '../auth/policy.ts';
import { BadRequestError } from './input.ts';

/** Routes that answer JSON rather than pages. */
const wantsJson = (request: FastifyRequest) =>
  request.url.startsWith('/api/') || request.url.startsWith('/healthz');

function errorPage(reply: FastifyReply, status: number, title: string, body: JSX.Element) {
  return reply.page({ title, status }, body);
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  if (wantsJson(request))
    return reply.status(404).send({ error: 'not_found', message: 'Ressource introuvable.' });
  return errorPage(
    reply,
    404,
    'Page introuvable',
    <>
      <h1>Page introuvable</h1>
      <p>La page que vous cherchez n’existe pas ou a été déplacée.</p>
      <p>Si vous avez saisi l’adresse, vérifiez qu’elle est exacte.</p>
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </>,
  );
}

/** French pages (or JSON on the API) for every error; details go to the log, never to the page. */
export function registerErrorPages(app: FastifyInstance): void {
  app.setNotFoundHandler(notFound);

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // An error before the actor is known (an early hook) still gets a page.
    request.actor ??= ANONYMOUS;
    if (error instanceof ForbiddenError && request.actor?.kind === 'anonymous' && request.method === 'GET') {
      return reply.redirect('/connexion');
    }
    const status =
      error instanceof ForbiddenError
        ? 403
        : error.statusCode && error.statusCode >= 400
          ? error.statusCode
          : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, error.message);

    if (wantsJson(request)) {
      return reply.status(status).send({
        error: status >= 500 ? 'internal' : (error.code ?? 'error'),
        message: status >= 500 ? 'Erreur interne du serveur.' : error.message,
      });
    }
    if (status === 403 && error.code?.startsWith('FST_CSRF')) {
      return errorPage(
        reply,
        403,
        'Formulaire expiré',
        <>
          <h1>Le formulaire a expiré</h1>
          <p>
            Pour votre sécurité, ce formulaire n’est plus valable. Revenez à la page précédente, rechargez-la,
            puis recommencez.
          </p>
          <p>Rien n’a été enregistré.</p>
        </>,
      );
    }
    if (status === 403) {
      return errorPage(
        reply,
        403,
        'Accès refusé',
        <>
          <h1>Accès refusé</h1>
          <p safe>{error.message}</p>
          <p>Si vous pensez que c’est une erreur, contactez l’administrateur de votre structure.</p>
        </>,
      );
    }
    if (status === 429) {
      return errorPage(
        reply,
        429,
        'Trop de tentatives',
        <>
          <h1>Trop de tentatives</h1>
          <p>Vous avez fait trop de demandes en peu de temps. Attendez quelques minutes, puis réessayez.</p>
        </>,
      );
    }
    if (status === 404) return notFound(request, reply);
    if (error instanceof BadRequestError) {
      return errorPage(
        reply,
        error.statusCode,
        'Demande invalide',
        <>
          <h1>Demande invalide</h1>
          <p safe>{error.message}</p>
          <p>Rien n’a été enregistré.</p>
        </>,
      );
    }
    if (status < 500) {
      return errorPage(
        reply,
        status,
        'Demande invalide',
        <>
          <h1>Demande invalide</h1>
          <p>
            La demande n’a pas pu être traitée. Revenez à la page précédente et vérifiez ce que vous avez
            saisi.
          </p>
        </>,
      );
    }
    return errorPage(
      reply,
      500,
      'Erreur du serveur',
      <>
        <h1>Une erreur est survenue</h1>
        <p>Le service a rencontré un problème. Rien n’a été enregistré. Réessayez dans quelques instants.</p>
        <p>
          Si le problème continue, transmettez cette référence à l’équipe technique :{' '}
          <code safe>{request.id}</code>
        </p>
      </>,
    ).catch(() => reply.status(500).type('text/plain; charset=utf-8').send('Erreur du serveur.'));
  });
}

import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../platform/module.ts';
import { unsubscribe } from './news.ts';

/**
 * The one-click unsubscribe target (RFC 8058): a mail client posts `List-Unsubscribe=One-Click`
 * to the signed address, without a page or a form token; the signature is the authorisation.
 */
export function reseauApi(api: FastifyInstance, { db }: ModuleContext): void {
  api.post<{ Params: { contact: string; signature: string } }>(
    '/reseau/desabonnement/:contact/:signature',
    {
      config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['reseau'],
        summary: 'Désabonner un contact des actualités du réseau, en un clic (RFC 8058)',
        description:
          'L’adresse signée figure dans chaque courriel d’actualité. Un lien altéré ne change rien et répond 404.',
      },
    },
    async (request, reply) => {
      const ok = await unsubscribe(db, request.params.contact, request.params.signature, request.ip);
      if (!ok)
        return reply
          .status(404)
          .send({ error: 'not_found', message: 'Lien de désabonnement non valable : rien n’a changé.' });
      return reply.send({ desabonne: true });
    },
  );
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { lastValue, type RouteInput } from '../../platform/forms.ts';
import type { Crumb } from '../../platform/ui/components.tsx';
import { STATUSES, type Status } from './vocabulary.ts';

export const HOME: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/orientations', label: 'Orientations' },
];

export const FLASH: Record<string, string> = {
  envoyee: 'L’orientation est envoyée : le lieu a reçu un courriel pour y répondre.',
  copie_sms: 'La copie de son accord est envoyée à la personne par SMS.',
  copie_email: 'La copie de son accord est envoyée à la personne par courriel.',
  retiree: 'Le retrait de l’accord est enregistré : l’orientation est close et le lieu prévenu.',
  etude: 'L’orientation est à l’étude.',
  acceptee: 'L’orientation est acceptée : la personne qui l’a envoyée est prévenue.',
  acceptee_sms:
    'L’orientation est acceptée : la personne qui l’a envoyée est prévenue, la personne orientée aussi par SMS.',
  acceptee_email:
    'L’orientation est acceptée : la personne qui l’a envoyée est prévenue, la personne orientée aussi par courriel.',
  acceptee_echec:
    'L’orientation est acceptée et la personne qui l’a envoyée prévenue, mais le message à la personne orientée n’a pas pu partir : contactez-la directement.',
  refusee: 'Le refus est enregistré : la personne qui a orienté est prévenue.',
  close: 'C’est noté : l’orientation est close.',
  fiche:
    'La fiche est reliée : dès qu’un accompagnement de cette personne est enregistré, l’orientation est notée honorée.',
};

export const flashOf = (request: FastifyRequest<RouteInput>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

export const pageNumber = (raw: unknown) => Math.max(1, Math.min(10_000, Math.trunc(Number(raw)) || 1));
export const statusOf = (raw: unknown): Status | undefined => {
  const s = lastValue(raw);
  return s && s in STATUSES ? (s as Status) : undefined;
};

/** Pages about a referral are never stored by a browser or a proxy, nor their address passed on. */
export function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
}

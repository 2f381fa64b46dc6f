import type { RelaisModule } from '../../platform/module.ts';
import { reseauApi } from './api.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { purgeContacts, purgeRegistrations } from './members.ts';
import { sendWeeklyDigest } from './news.ts';
import { reseauRoutes } from './routes.tsx';
import { seedReseau } from './seed.ts';
import { networkBlock } from './space.tsx';
import { reseauMigrations } from './tables.ts';

/**
 * The OPSN's territorial network: member structures (public application, acceptance, history),
 * comités and their meetings, a roadmap whose progress is computed from Relais' data, an agenda
 * with iCalendar feeds, and news mailed to the members.
 */
export const reseau: RelaisModule = {
  name: 'reseau',
  migrations: reseauMigrations,
  routes: reseauRoutes,
  api: reseauApi,
  seedDemo: seedReseau,
  jobs: [
    {
      name: 'reseau.effacement',
      label:
        'Effacer les contacts des structures refusées ou sorties du réseau depuis plus d’un an, et les inscriptions aux événements passés depuis plus d’un mois',
      schedule: '50 3 * * *',
      run: async ({ db }) => ({
        'contacts effacés': await purgeContacts(db),
        'inscriptions effacées': await purgeRegistrations(db),
      }),
    },
    {
      name: 'reseau.resume-hebdomadaire',
      label:
        'Envoyer le résumé hebdomadaire des actualités du réseau aux contacts qui l’ont choisi (le lundi matin)',
      schedule: '0 8 * * 1',
      run: async ({ db, config }) => {
        const sent = await sendWeeklyDigest(db, config);
        return { 'actualités résumées': sent.news, 'courriels envoyés': sent.recipients };
      },
    },
  ],
  home: [
    {
      href: '/reseau',
      title: 'Le réseau territorial',
      text: 'Les structures de l’inclusion numérique du territoire : agenda, actualités, feuille de route.',
    },
  ],
  space: [networkBlock],
  styles: ['reseau.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';

import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { purgeOldAppointments, sendReminders } from './jobs.ts';
import { bookHere } from './place-section.tsx';
import { rendezvousRoutes } from './routes.tsx';
import { seedRendezvous } from './seed.ts';
import { workshopsForSkills } from './skills-next-steps.ts';
import { appointmentsBlock, coordinationBlock, personAppointmentsBlock } from './space.tsx';
import { rendezvousMigrations } from './tables.ts';
import { sendWaitlistNotices } from './waitlist.ts';

export { lastHonouredAppointmentDay } from './agenda.ts';
export { freeSlots } from './slots.ts';

/**
 * Appointments: people book help at a place without an account (reasons, weekly openings,
 * holidays and absences), get a confirmation with a calendar file and reminders, cancel or move
 * through a signed link; helpers keep their agenda, note who came, and an honoured appointment
 * becomes an activity report in one click.
 */
export const rendezvous: RelaisModule = {
  name: 'rendezvous',
  migrations: rendezvousMigrations,
  routes: rendezvousRoutes,
  seedDemo: seedRendezvous,
  nav: [{ href: '/rendezvous', label: 'Prendre rendez-vous' }],
  home: [
    {
      href: '/rendezvous',
      title: 'Prendre rendez-vous',
      text: 'Réservez un moment avec un médiateur numérique, sans créer de compte.',
    },
  ],
  jobs: [
    {
      name: 'rendezvous.rappels',
      label: 'Envoyer les rappels de rendez-vous (48 h avant, et 24 h pour qui l’a demandé)',
      schedule: '*/15 * * * *',
      run: ({ db, config }) => sendReminders(db, config),
    },
    {
      name: 'rendezvous.liste_attente',
      label: 'Prévenir la liste d’attente d’un créneau plus tôt (une fois par jour au plus)',
      schedule: '5 9-19 * * *',
      run: ({ db, config }) => sendWaitlistNotices(db, config),
    },
    {
      name: 'rendezvous.effacement',
      label: 'Effacer les rendez-vous de plus de 2 ans',
      schedule: '50 3 * * *',
      run: async ({ db }) => ({ 'rendez-vous effacés': await purgeOldAppointments(db) }),
    },
  ],
  space: [appointmentsBlock, coordinationBlock],
  personRecord: [personAppointmentsBlock],
  skillsNextSteps: [workshopsForSkills],
  placePage: [bookHere],
  styles: ['rendezvous.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';

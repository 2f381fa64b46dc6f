import type { PersonRecordSection } from '../../platform/module.ts';
import { mayUseMandates } from './habilitation.ts';

/** On a person's record, the way to their mandates: only for a helper habilitated to use them. */
export const personMandates: PersonRecordSection = async ({ db }, actor, person) => {
  if (!(await mayUseMandates(db, actor))) return null;
  return (
    <p>
      Mandats pour agir au nom de cette personne :{' '}
      <a href={`/mandats?beneficiaire=${person.id}`}>voir ses mandats</a> ou{' '}
      <a href={`/mandats/nouveau?beneficiaire=${person.id}`}>en créer un</a>.
    </p>
  );
};

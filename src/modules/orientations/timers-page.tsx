import { CsrfField, ErrorSummary, Field, type FieldErrors, Flash } from '../../platform/ui/components.tsx';
import { RETENTION_MONTHS } from './vocabulary.ts';

/** The OPSN's timers of referrals, for its administrators. */
export function TimersPage(props: {
  values: Record<string, string | number>;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1>Délais des orientations</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      <p>
        Ces délais valent pour tout le territoire. Une tâche planifiée les applique chaque heure : relance du
        lieu qui n’a pas répondu, alerte de ses coordinateurs, expiration ; une autre, chaque nuit, efface les
        données des personnes orientées au bout de la durée de conservation.
      </p>
      <form method="post" action="/admin/orientations" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="reminderDays"
          type="number"
          label="Relancer le lieu tous les (jours)"
          value={v.reminderDays}
          error={e.reminderDays}
        />
        <Field
          name="escalateAfter"
          type="number"
          label="Alerter ses coordinateurs après (relances)"
          value={v.escalateAfter}
          error={e.escalateAfter}
        />
        <Field
          name="expiryDays"
          type="number"
          label="Expiration sans réponse après (jours)"
          value={v.expiryDays}
          error={e.expiryDays}
        />
        <Field
          name="studyExpiryDays"
          type="number"
          label="Expiration à l’étude après (jours)"
          hint="Compté depuis la mise à l’étude."
          value={v.studyExpiryDays}
          error={e.studyExpiryDays}
        />
        <Field
          name="retentionMonths"
          type="number"
          label="Effacer les données de la personne après (mois)"
          hint={`Compté depuis l’envoi ; ${RETENTION_MONTHS} mois au plus. La durée est lue à la personne avec son accord.`}
          value={v.retentionMonths}
          error={e.retentionMonths}
        />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

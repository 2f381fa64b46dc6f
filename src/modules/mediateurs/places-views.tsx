import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Notice,
} from '../../platform/ui/components.tsx';
import type { PlaceSummary } from '../lieux/index.ts';

/** The helper's choice of their places of activity, among their collectivités' places. */
export function PlacesPage(props: {
  places: PlaceSummary[];
  chosen: string[];
  csrf: string;
  error?: string | undefined;
  first: boolean;
}): JSX.Element {
  const errors: FieldErrors = props.error ? { lieux: props.error } : {};
  return (
    <>
      <h1>Mes lieux d’activité</h1>
      <ErrorSummary errors={errors} />
      {props.first ? (
        <Notice>
          <p>
            Avant votre premier compte rendu, indiquez où vous accompagnez les personnes. Vous pourrez changer
            ces lieux à tout moment.
          </p>
        </Notice>
      ) : (
        ''
      )}
      {props.places.length === 0 ? (
        <p>
          Aucun lieu n’est encore enregistré dans vos collectivités. Demandez à votre coordinateur d’ajouter
          votre lieu à l’annuaire.
        </p>
      ) : (
        <form method="post" action="/activites/lieux" novalidate>
          <CsrfField token={props.csrf} />
          <ChoiceGroup
            type="checkbox"
            name="lieux"
            legend="Les lieux où j’accompagne"
            hint="Cochez un ou plusieurs lieux de l’annuaire de vos collectivités."
            error={props.error}
            options={props.places.map((p) => ({
              value: p.id,
              label: `${p.nom} – ${p.code_postal} ${p.commune}`,
            }))}
            checked={props.chosen}
            className="checkboxes activity-columns"
          />
          <button type="submit" class="button">
            Enregistrer mes lieux
          </button>
        </form>
      )}
    </>
  );
}

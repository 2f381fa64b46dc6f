import { CsrfField, Flash } from '../../platform/ui/components.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { PROGRAMMES, type Programme } from './vocabulary.ts';

/** The programmes of a coordinator's team: one form, a row per helper, a box per programme. */
export function ProgrammesPage(props: {
  team: { id: string; name: string }[];
  programmes: Map<string, Programme[]>;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const codes = Object.keys(PROGRAMMES) as Programme[];
  return (
    <>
      {props.error ? (
        <div class="error-summary" role="alert" tabindex="-1">
          <h2>Il y a un problème</h2>
          <p safe>{props.error}</p>
        </div>
      ) : (
        ''
      )}
      <Flash message={props.flash} />
      <h1>Programmes de mon équipe</h1>
      <p>
        Certaines formations sont réservées aux médiateurs d’un programme national. Cochez ceux de chaque
        personne de votre équipe : seules les personnes du public d’une formation peuvent s’y inscrire.
      </p>
      {props.team.length === 0 ? (
        <p>Votre équipe ne compte aucun médiateur.</p>
      ) : (
        <form method="post" action="/formations/equipe/programmes">
          <CsrfField token={props.csrf} />
          <Table
            caption="Programmes des médiateurs de l’équipe"
            captionHidden
            columns={['Nom', ...codes.map((c) => PROGRAMMES[c])]}
          >
            {props.team.map((h) => {
              const mine = props.programmes.get(h.id) ?? [];
              return (
                <tr>
                  <td>
                    <input type="hidden" name="personnes" value={h.id} />
                    <span safe>{h.name}</span>
                  </td>
                  {codes.map((c) => {
                    const id = `programme-${h.id}-${c}`;
                    return (
                      <td>
                        <input
                          type="checkbox"
                          id={id}
                          name={`programmes-${h.id}`}
                          value={c}
                          checked={mine.includes(c)}
                        />
                        <label for={id} class="visually-hidden" safe>
                          {`${PROGRAMMES[c]} : ${h.name}`}
                        </label>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </Table>
          <button type="submit" class="button">
            Enregistrer les programmes
          </button>
        </form>
      )}
    </>
  );
}

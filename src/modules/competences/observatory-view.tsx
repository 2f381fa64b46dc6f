import { safeNumber } from '../../platform/ui/components.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { type CommuneFigures, GAPS, monthLabel, type ObservedPeriod, shareOf } from './observatory.ts';
import { COMPETENCES } from './questionnaire.ts';
import { PROFILES, type Profile } from './vocabulary.ts';

const percent = (n: number, total: number) => {
  const s = shareOf(n, total);
  return s === null ? '—' : `${s} %`;
};

function Row({ f, header }: { f: CommuneFigures; header?: boolean }): JSX.Element {
  const masked = f.total === 0;
  return (
    <tr class={header ? 'skills-total-row' : undefined}>
      <th scope="row" safe>
        {f.label}
      </th>
      <td class="num">{masked ? 'moins de 5' : safeNumber(f.total)}</td>
      {(Object.keys(PROFILES) as Profile[]).map((p) => (
        <td class="num" safe>
          {masked ? '—' : percent(f.profiles[p], f.total)}
        </td>
      ))}
      <td safe>
        {masked || f.weakest.length === 0
          ? '—'
          : f.weakest.map((w) => `${w.code} (${percent(w.n, f.total)})`).join(', ')}
      </td>
      <td class="num" safe>
        {masked ? '—' : percent(f.gaps['sans:ordinateur'], f.total)}
      </td>
      <td class="num" safe>
        {masked ? '—' : percent(f.gaps['sans:internet_maison'], f.total)}
      </td>
    </tr>
  );
}

/** The public figures of the diagnostics: by commune, over whole months, small counts masked. */
export function ObservatoryPage(p: {
  period: ObservedPeriod;
  months: string[];
  communes: CommuneFigures[];
  territory: CommuneFigures;
  error?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Les compétences numériques sur le territoire</h1>
      <p class="lead">
        Ce que montrent les diagnostics faits par les habitants, seuls ou avec un médiateur. Aucun résultat
        individuel n’est publié.
      </p>
      <form method="get" action="/competences/observatoire" class="skills-period">
        <div class={p.error ? 'field field--error' : 'field'}>
          <label for="champ-mois">Période</label>
          {p.error ? (
            <span class="field__error" id="champ-mois-erreur">
              <span class="visually-hidden">Erreur : </span>
              <span safe>{p.error}</span>
            </span>
          ) : (
            ''
          )}
          <select id="champ-mois" name="mois" aria-describedby={p.error ? 'champ-mois-erreur' : undefined}>
            <option value="12-derniers" selected={p.period.value === '12-derniers'}>
              Les 12 derniers mois terminés
            </option>
            {p.months.map((m) => (
              <option value={m.slice(0, 7)} selected={p.period.value === m.slice(0, 7)} safe>
                {monthLabel(m)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button--secondary">
          Afficher
        </button>
      </form>
      <h2 safe>{`Diagnostics ${p.period.value === '12-derniers' ? '' : 'de '}${p.period.label}`}</h2>
      {p.territory.total === 0 ? (
        <p>Moins de 5 diagnostics sur cette période : les chiffres ne sont pas publiés.</p>
      ) : (
        <Table
          caption="Diagnostics par commune : profils, compétences le plus souvent au niveau 0 ou 1, équipement et connexion"
          columns={[
            'Commune',
            { label: 'Diagnostics', numeric: true },
            ...Object.values(PROFILES).map((label) => ({ label, numeric: true })),
            'Compétences les plus faibles',
            { label: 'Sans ordinateur', numeric: true },
            { label: 'Sans internet à la maison', numeric: true },
          ]}
        >
          <>
            <Row f={p.territory} header />
            {p.communes.map((f) => (
              <Row f={f} />
            ))}
          </>
        </Table>
      )}
      <h2>Lire ces chiffres</h2>
      <ul>
        <li>
          Chaque nombre est arrondi au multiple de 5 le plus proche, mois par mois. « moins de 5 » : trop peu
          de diagnostics pour en dire plus sans risquer de reconnaître quelqu’un.
        </li>
        <li>Seuls les mois terminés sont publiés.</li>
        <li>
          Compétences : <span safe>{COMPETENCES.map((c) => `${c.code} ${c.label}`).join(' ; ')}</span>.
        </li>
        <li safe>{`Manques d’équipement relevés : ${Object.values(GAPS).join(', ')}.`}</li>
      </ul>
      <p>
        <a href="/donnees/diagnostics-competences">Les mêmes chiffres en données ouvertes</a>
      </p>
    </>
  );
}

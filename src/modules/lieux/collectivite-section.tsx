import type { ModuleContext } from '../../platform/module.ts';
import { formatPhone } from './public-views.tsx';
import { publishedPlacesOf } from './service.ts';

/** At most this many places are listed on a collectivité's page; the directory has the rest. */
const LISTED = 50;

/** The block of the collectivité's public page that lists its places (published ones only). */
export async function collectivitePlaces(
  { db }: ModuleContext,
  collectivite: { id: number; name: string },
): Promise<JSX.Element> {
  const places = await publishedPlacesOf(db, collectivite.id, LISTED + 1);
  return (
    <section aria-labelledby="lieux-collectivite">
      <h2 id="lieux-collectivite">Où trouver de l’aide</h2>
      {places.length === 0 ? (
        <p>
          Aucun lieu de <span safe>{collectivite.name}</span> n’est encore publié dans l’annuaire.{' '}
          <a href="/lieux">Chercher un lieu près de chez vous</a>
        </p>
      ) : (
        <>
          <p>
            Les lieux rattachés à <span safe>{collectivite.name}</span>, où l’on vous aide à faire vos
            démarches en ligne et à utiliser le numérique
            {places.length > LISTED ? ` (les ${LISTED} premiers par ordre alphabétique)` : ''}.
          </p>
          <ul>
            {places.slice(0, LISTED).map((p) => (
              <li>
                <a href={`/lieux/${p.id}`} safe>
                  {p.nom}
                </a>
                <br />
                <span safe>{`${p.adresse}, ${p.code_postal} ${p.commune}`}</span>
                {p.telephone[0] ? (
                  <>
                    {' · '}
                    <a href={`tel:${p.telephone[0]}`} safe>
                      {formatPhone(p.telephone[0])}
                    </a>
                  </>
                ) : (
                  ''
                )}
              </li>
            ))}
          </ul>
          <p>
            <a href="/lieux">Chercher dans tout l’annuaire</a>
          </p>
        </>
      )}
    </section>
  );
}

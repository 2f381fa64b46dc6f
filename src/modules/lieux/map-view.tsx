import type { Config } from '../../platform/config.ts';
import { assetUrl } from '../../platform/ui/assets.ts';

/**
 * The markup that `assets/carte.js` turns into maps: each a `<section>` with a name, so a
 * region landmark that says where the same content is for keyboard and screen reader users. Each container is `hidden` until the
 * script draws in it, so without JavaScript (or when the data fails to load) nothing shows
 * but the list or form beside it, which must say the same thing on its own.
 */

/** What a page showing any of these needs: `reply.page({ title, ...MAP_ASSETS }, body)`. */
export const MAP_ASSETS: { scripts: readonly string[]; styles: readonly string[] } = {
  scripts: ['carte.js'],
  styles: ['carte.css'],
};

/** What `carte.js` loads when a map is wanted (not before: 60 KB a phone may not need). */
const LEAFLET_SCRIPTS = ['leaflet.js', 'leaflet.markercluster.js'];
const LEAFLET_STYLES = ['leaflet.css', 'MarkerCluster.css', 'MarkerCluster.Default.css'];

export type MapConfig = Pick<Config, 'mapTilesUrl' | 'mapAttribution'>;

/** The tiles, their credit and the marker images (hashed asset URLs) every map needs. */
export function mapAttributes(config: MapConfig): Record<string, string> {
  return {
    'data-tiles': config.mapTilesUrl,
    'data-attribution': config.mapAttribution,
    'data-icon': assetUrl('marker-icon.png'),
    'data-icon2x': assetUrl('marker-icon-2x.png'),
    'data-shadow': assetUrl('marker-shadow.png'),
    'data-js': LEAFLET_SCRIPTS.map(assetUrl).join(' '),
    'data-css': LEAFLET_STYLES.map(assetUrl).join(' '),
  };
}

/**
 * The places of a search, on a map, under or beside their list. `source`: a same-origin URL
 * answering `{ total, items: [{ id, nom, commune, latitude, longitude, distance_km?, url }] }`,
 * e.g. `/api/v1/lieux?…&limit=500`.
 */
export function ResultsMap({ config, source }: { config: MapConfig; source: string }): JSX.Element {
  return (
    <section
      class="carte"
      data-map="resultats"
      data-source={source}
      aria-label="Carte des lieux (la liste ci-dessus contient les mêmes lieux)"
      hidden
      {...mapAttributes(config)}
    ></section>
  );
}

/** One place on a map, on its own page (its address is written out on the page too). */
export function PlaceMap({
  config,
  lat,
  lon,
  nom,
}: {
  config: MapConfig;
  lat: number;
  lon: number;
  nom: string;
}): JSX.Element {
  return (
    <section
      class="carte carte--lieu"
      data-map="lieu"
      data-lat={String(lat)}
      data-lon={String(lon)}
      data-nom={nom}
      aria-label={`Carte : emplacement de ${nom}`}
      hidden
      {...mapAttributes(config)}
    ></section>
  );
}

/**
 * A map to choose a position by clicking, beside the latitude and longitude inputs it fills
 * (`latInput`, `lonInput`: their ids). Centred on the inputs' values, else on `lat`/`lon`,
 * else on France.
 */
export function PickerMap({
  config,
  latInput,
  lonInput,
  lat,
  lon,
}: {
  config: MapConfig;
  latInput: string;
  lonInput: string;
  lat?: number | undefined;
  lon?: number | undefined;
}): JSX.Element {
  return (
    <section
      class="carte"
      data-map="picker"
      data-lat-input={latInput}
      data-lon-input={lonInput}
      data-lat={lat === undefined ? undefined : String(lat)}
      data-lon={lon === undefined ? undefined : String(lon)}
      aria-label="Carte : cliquez pour placer le lieu (ou saisissez la latitude et la longitude)"
      hidden
      {...mapAttributes(config)}
    ></section>
  );
}

/**
 * "Utiliser ma position", inside a search form: the script shows it where the browser can
 * geolocate, fills the form's `near` input with "lat,lon" (creating it if the form has none)
 * and submits the form; the status line tells when no position is available.
 */
export function GeolocateButton(): JSX.Element {
  return (
    <>
      {/* No `button` class here: its `display` would beat `hidden`. The script adds it. */}
      <button type="button" data-geolocate hidden>
        Utiliser ma position
      </button>
      <span class="geolocate-status" data-geolocate-status aria-live="polite"></span>
    </>
  );
}

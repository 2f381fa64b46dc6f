/*
 * Relais: maps of places, drawn over markup that works without them (see map-view.tsx).
 * Plain ES2017 for the browser, no build step. Leaflet and Leaflet.markercluster (60 KB)
 * load only when a map is wanted: public pages offer a button, so that a phone on a slow
 * link never pays for a map it did not ask for; the position picker loads at once. The
 * containers name the files (data-js, data-css). Data from the server is only ever set as text.
 *
 *   [data-map="resultats"]  the places of a search, from the JSON of data-source (an item's
 *                           `couleur`, #rrggbb, draws it as a round marker of that colour)
 *   [data-map="lieu"]       one place: data-lat, data-lon, data-nom
 *   [data-map="picker"]     click to fill the inputs named by data-lat-input, data-lon-input
 *   [data-geolocate]        a search form's "use my position" button
 */
(() => {
  let L = window.L;
  const FRANCE = { center: [46.6, 2.4], zoom: 5 };
  const UNAVAILABLE = 'Position non disponible : tapez votre commune.';

  /** Text as HTML, for the one Leaflet option that takes HTML: the attribution. */
  function escapeHtml(text) {
    const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
    return String(text).replace(/[&<>"']/g, (c) => entities[c]);
  }

  /** A number typed or served as "45.76" or "45,76"; NaN otherwise. */
  function toNumber(value) {
    if (value === null || value === undefined) return Number.NaN;
    const text = String(value).trim().replace(',', '.');
    return text === '' ? Number.NaN : Number(text);
  }

  function isPosition(lat, lon) {
    return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  }

  /** Only http(s) links, resolved against the page: never a `javascript:` URL from the data. */
  function safeHref(url) {
    try {
      const parsed = new URL(String(url), window.location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (_error) {
      return null;
    }
  }

  /** The map in `el`, with the tiles and credit its data attributes name. */
  function createMap(el, options) {
    el.hidden = false;
    if (el.dataset.icon) {
      // Hashed asset URLs: Leaflet's own guess (relative to its CSS) would not find the images.
      L.Icon.Default.imagePath = '';
      L.Icon.Default.mergeOptions({
        iconUrl: el.dataset.icon,
        iconRetinaUrl: el.dataset.icon2x || el.dataset.icon,
        shadowUrl: el.dataset.shadow || '',
      });
    }
    // No zoom on the mouse wheel: scrolling the page must not get caught in the map.
    const map = L.map(
      el,
      Object.assign({ zoomControl: false, maxZoom: 19, scrollWheelZoom: false }, options),
    );
    L.control.zoom({ zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(el.dataset.tiles, {
      maxZoom: 19,
      attribution: escapeHtml(el.dataset.attribution || ''),
    }).addTo(map);
    map.on('popupopen', (event) => {
      const close = event.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (close) close.setAttribute('aria-label', 'Fermer');
    });
    return map;
  }

  function markerOptions(name) {
    const text = name ? String(name) : '';
    return { title: text, alt: text, keyboard: true };
  }

  /** A place's popup: a link to its page, then its commune and distance, all as text. */
  function popup(item) {
    const box = document.createElement('div');
    const title = document.createElement('p');
    const href = safeHref(item.url);
    const name = document.createElement(href ? 'a' : 'strong');
    if (href) name.href = href;
    name.textContent = String(item.nom || 'Lieu');
    title.appendChild(name);
    box.appendChild(title);
    const details = [];
    if (item.commune) details.push(String(item.commune));
    const distance = toNumber(item.distance_km);
    if (Number.isFinite(distance)) {
      details.push(`à ${distance.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`);
    }
    if (details.length) {
      const line = document.createElement('p');
      line.textContent = details.join(' – ');
      box.appendChild(line);
    }
    return box;
  }

  function resultsMap(el) {
    const source = el.dataset.source;
    if (!source) return Promise.resolve();
    // Returned, so that the button that asked for the map goes once the map is drawn.
    return fetch(source, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((data) => {
        const items = data && Array.isArray(data.items) ? data.items : [];
        const points = [];
        for (const item of items) {
          if (!item) continue;
          const lat = toNumber(item.latitude);
          const lon = toNumber(item.longitude);
          if (isPosition(lat, lon)) points.push({ item, latlng: L.latLng(lat, lon) });
        }
        // Nothing to place: no map at all, the list says it already.
        if (points.length === 0) return;
        const map = createMap(el, {});
        // Room above each point for its marker (41 px high, anchored at its tip).
        map.fitBounds(L.latLngBounds(points.map((p) => p.latlng)), {
          paddingTopLeft: [24, 48],
          paddingBottomRight: [24, 16],
          maxZoom: 16,
        });
        // Coloured markers stay apart: their colours would be lost in a cluster.
        const coloured = points.some((p) => p.item.couleur);
        const group =
          !coloured && typeof L.markerClusterGroup === 'function'
            ? L.markerClusterGroup({ showCoverageOnHover: false })
            : L.featureGroup();
        for (const point of points) {
          // A colour given by the page (the observatory's index classes): a round marker.
          const colour = /^#[0-9a-f]{6}$/i.test(String(point.item.couleur || '')) ? point.item.couleur : null;
          const marker = colour
            ? L.circleMarker(point.latlng, {
                radius: 8,
                color: '#1b1b1b',
                weight: 1,
                fillColor: colour,
                fillOpacity: 0.9,
              })
            : L.marker(point.latlng, markerOptions(point.item.nom));
          marker.bindPopup(() => popup(point.item));
          group.addLayer(marker);
        }
        map.addLayer(group);
      })
      .catch((error) => {
        // The list of places stays: the map was only an extra.
        el.hidden = true;
        console.warn('Carte des lieux indisponible :', error);
      });
  }

  function placeMap(el) {
    const lat = toNumber(el.dataset.lat);
    const lon = toNumber(el.dataset.lon);
    if (!isPosition(lat, lon)) return;
    const map = createMap(el, { center: [lat, lon], zoom: 16 });
    L.marker([lat, lon], markerOptions(el.dataset.nom)).addTo(map);
  }

  function pickerMap(el) {
    const latInput = document.getElementById(el.dataset.latInput || '');
    const lonInput = document.getElementById(el.dataset.lonInput || '');
    if (!latInput || !lonInput) return;

    /** The position the inputs hold, or null. */
    function typed() {
      const lat = toNumber(latInput.value);
      const lon = toNumber(lonInput.value);
      return isPosition(lat, lon) ? L.latLng(lat, lon) : null;
    }

    const start = typed();
    const fallback = [toNumber(el.dataset.lat), toNumber(el.dataset.lon)];
    const view = start
      ? { center: start, zoom: 16 }
      : isPosition(fallback[0], fallback[1])
        ? { center: fallback, zoom: toNumber(el.dataset.zoom) || 13 }
        : FRANCE;
    const map = createMap(el, view);
    let marker = null;
    let writing = false;

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
        return;
      }
      marker = L.marker(latlng, Object.assign(markerOptions('Emplacement choisi'), { draggable: true }));
      marker.on('dragend', () => write(marker.getLatLng()));
      marker.addTo(map);
    }

    function setValue(input, value) {
      if (input.value === value) return;
      input.value = value;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    /** Writes a position into the inputs, rounded to 6 decimals (about 10 cm). */
    function write(latlng) {
      const wrapped = latlng.wrap();
      writing = true;
      try {
        setValue(latInput, String(Number(wrapped.lat.toFixed(6))));
        setValue(lonInput, String(Number(wrapped.lng.toFixed(6))));
      } finally {
        writing = false;
      }
    }

    function follow() {
      if (writing) return;
      const latlng = typed();
      if (!latlng) return;
      place(latlng);
      map.panTo(latlng);
    }

    if (start) place(start);
    map.on('click', (event) => {
      place(event.latlng);
      write(event.latlng);
    });
    for (const input of [latInput, lonInput]) {
      input.addEventListener('input', follow);
      input.addEventListener('change', follow);
    }
  }

  /** "Use my position": fills the form's `near` with "lat,lon" and submits it. */
  function geolocateButton(button) {
    const form = button.closest('form');
    if (!form || !navigator.geolocation || !window.isSecureContext) return;
    const status =
      form.querySelector('[data-geolocate-status]') || document.querySelector('[data-geolocate-status]');
    const say = (text) => {
      if (status) status.textContent = text;
    };
    // Styled only now: the `button` class sets a `display` that would beat `hidden`.
    button.classList.add('button', 'button--secondary');
    button.hidden = false;
    button.addEventListener('click', () => {
      button.disabled = true;
      say('Recherche de votre position…');
      navigator.geolocation.getCurrentPosition(
        (position) => {
          let near = form.querySelector('input[name="near"]');
          if (!near) {
            near = document.createElement('input');
            near.type = 'hidden';
            near.name = 'near';
            form.appendChild(near);
          }
          near.value = `${position.coords.latitude.toFixed(5)},${position.coords.longitude.toFixed(5)}`;
          say('Position trouvée : recherche des lieux proches…');
          // submit(), not requestSubmit(): a required "commune" field must not block this search.
          form.submit();
        },
        () => {
          button.disabled = false;
          say(UNAVAILABLE);
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
      );
    });
  }

  const MAPS = { resultats: resultsMap, lieu: placeMap, picker: pickerMap };

  /** Adds the stylesheets and scripts a container names, scripts one after the other. */
  let loading = null;
  function loadLeaflet(el) {
    if (window.L) return Promise.resolve();
    if (loading) return loading;
    for (const href of (el.dataset.css || '').split(' ').filter(Boolean)) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      document.head.appendChild(link);
    }
    const scripts = (el.dataset.js || '').split(' ').filter(Boolean);
    loading = scripts.reduce(
      (previous, src) =>
        previous.then(
          () =>
            new Promise((resolve, reject) => {
              const script = document.createElement('script');
              script.src = src;
              script.onload = resolve;
              script.onerror = () => reject(new Error(`script ${src}`));
              document.head.appendChild(script);
            }),
        ),
      Promise.resolve(),
    );
    return loading;
  }

  function draw(el) {
    return loadLeaflet(el)
      .then(() => {
        L = window.L;
        return MAPS[el.dataset.map](el);
      })
      .catch((error) => {
        el.hidden = true;
        console.error('Carte indisponible :', error);
      });
  }

  /** "Afficher la carte" before a public map: it loads and draws on request. */
  function offer(el) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button--secondary carte__afficher';
    button.textContent = 'Afficher la carte';
    el.parentNode.insertBefore(button, el);
    button.addEventListener('click', () => {
      button.disabled = true;
      draw(el).then(() => {
        button.remove();
        if (!el.hidden) el.focus();
      });
    });
  }

  function start() {
    for (const button of document.querySelectorAll('[data-geolocate]')) geolocateButton(button);
    for (const el of document.querySelectorAll('[data-map]')) {
      if (!MAPS[el.dataset.map]) continue;
      if (el.dataset.map === 'picker' || el.dataset.load === 'now') draw(el);
      else offer(el);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

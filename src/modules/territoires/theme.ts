/** WCAG 2.1 contrast, for the brand colour a collectivité chooses. */

export const HEX_COLOUR = /^#[0-9a-f]{6}$/;
/** The brand colour carries white text (header, buttons) and is the link colour on white. */
export const MIN_CONTRAST = 4.5;

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = rgb(hex).map(channel) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [l1, l2] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (l1 + 0.05) / (l2 + 0.05);
}

/** The same hue, darkened step by step until white text on it passes AA. */
export function darkenUntilReadable(hex: string): string {
  let [r, g, b] = rgb(hex);
  let candidate = hex;
  while (contrastRatio(candidate, '#ffffff') < MIN_CONTRAST) {
    [r, g, b] = [r, g, b].map((c) => Math.floor(c * 0.92)) as [number, number, number];
    candidate = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  }
  return candidate;
}

export type ColourCheck = { ok: true; colour: string } | { ok: false; reason: string };

/** Accepts `#RGB` or `#RRGGBB` (any case) whose contrast with white reaches 4.5:1. */
export function checkBrandColour(input: string): ColourCheck {
  let value = input.trim().toLowerCase();
  if (/^#[0-9a-f]{3}$/.test(value)) value = `#${[...value.slice(1)].map((c) => c + c).join('')}`;
  if (!HEX_COLOUR.test(value)) {
    return { ok: false, reason: 'Saisissez une couleur au format hexadécimal, par exemple #1d4f91.' };
  }
  const ratio = contrastRatio(value, '#ffffff');
  if (ratio < MIN_CONTRAST) {
    const shown = ratio.toFixed(2).replace('.', ',');
    return {
      ok: false,
      reason: `Cette couleur n’est pas assez contrastée avec le blanc (${shown}:1 ; il faut au moins 4,5:1 pour que les textes restent lisibles). Essayez une teinte plus foncée, par exemple ${darkenUntilReadable(value)}.`,
    };
  }
  return { ok: true, colour: value };
}

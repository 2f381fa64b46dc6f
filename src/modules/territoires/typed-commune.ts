import { type CommuneMatch, findCommune, normaliseCommuneName, searchCommunes } from './reference.ts';

/** The commune's name and code, as people read it: « Villeurbanne (69266) »; null without a code. */
export function communeLabel(code: string | null | undefined): string | null {
  if (!code) return null;
  const commune = findCommune(code);
  return commune ? `${commune.name} (${code})` : code;
}

/** « de Villeurbanne », « d’Irigny ». */
const of = (name: string) => (/^[aeiouyàâéèêîôû]/i.test(name) ? `d’${name}` : `de ${name}`);

/**
 * The commune someone typed: an INSEE code (69266) or a name (Villeurbanne, unique prefix
 * accepted). A code that is also another commune's postcode is refused as ambiguous.
 */
export function resolveTypedCommune(
  typed: string,
): { ok: true; commune: CommuneMatch } | { ok: false; reason: string } {
  const text = typed.trim();
  const inParens = /\((\d[\dAB]\d{3})\)\s*$/i.exec(text);
  const code = inParens ? inParens[1]! : text;
  if (/^(\d{5}|2[AB]\d{3})$/i.test(code)) {
    const byCode = findCommune(code);
    const byPostcode = /^\d{5}$/.test(code) ? searchCommunes(code, 3) : [];
    if (byCode && !inParens && byPostcode.some((c) => c.code !== byCode.code)) {
      return {
        ok: false,
        reason: `${code} est le code INSEE ${of(byCode.name)} et le code postal ${of(byPostcode[0]!.name)} : saisissez le nom de la commune`,
      };
    }
    if (byCode) return { ok: true, commune: byCode };
    if (byPostcode.length === 1) return { ok: true, commune: byPostcode[0]! };
    if (byPostcode.length > 1)
      return {
        ok: false,
        reason: `plusieurs communes ont le code postal ${code} : saisissez le nom de la commune`,
      };
    return { ok: false, reason: `aucune commune n’a le code ${code}` };
  }
  const found = searchCommunes(text, 20);
  const wanted = normaliseCommuneName(text);
  const exact = found.filter((c) => normaliseCommuneName(c.name) === wanted);
  const candidates = exact.length > 0 ? exact : found;
  if (candidates.length === 1) return { ok: true, commune: candidates[0]! };
  if (candidates.length > 1) {
    const some = candidates
      .slice(0, 3)
      .map((c) => `${c.name} (${c.code})`)
      .join(', ');
    return { ok: false, reason: `plusieurs communes correspondent (${some}…) : saisissez le code INSEE` };
  }
  return {
    ok: false,
    reason: `« ${text} » n’est pas une commune connue : vérifiez l’orthographe ou saisissez le code INSEE`,
  };
}

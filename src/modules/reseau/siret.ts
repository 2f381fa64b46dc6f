/**
 * A SIRET (14 digits: the SIREN and the establishment's number) with its Luhn key. La Poste's
 * establishments (SIREN 356 000 000) follow another rule: their digits add up to a multiple of 5.
 */

const LA_POSTE = '356000000';

export type SiretCheck = { ok: true; siret: string } | { ok: false; message: string };

/** Luhn: from the right, every second digit doubled (minus 9 past 9); the sum ends in 0. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Checks a typed SIRET; spaces and dots between the digits are allowed. */
export function checkSiret(typed: string): SiretCheck {
  const siret = typed.replace(/[\s.]/g, '');
  if (!/^\d+$/.test(siret)) return { ok: false, message: 'Le SIRET ne contient que des chiffres.' };
  if (siret.length !== 14)
    return {
      ok: false,
      message: `Le SIRET compte 14 chiffres (vous en avez saisi ${siret.length}).`,
    };
  // Zeros pass the key but name no company: the national map's files use them for "unknown".
  const valid = /^0{9}/.test(siret)
    ? false
    : siret.startsWith(LA_POSTE)
      ? [...siret].reduce((s, d) => s + Number(d), 0) % 5 === 0
      : luhnValid(siret.slice(0, 9)) && luhnValid(siret);
  return valid
    ? { ok: true, siret }
    : {
        ok: false,
        message: 'Ce SIRET n’existe pas : vérifiez les chiffres (la clé de contrôle ne correspond pas).',
      };
}

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as french from '@zxcvbn-ts/language-fr';

/** Passwords: at least 12 characters, and not one that the common-password lists can guess. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

let estimator: ZxcvbnFactory | undefined;

function strength(password: string, userInputs: string[]) {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...french.dictionary },
    graphs: common.adjacencyGraphs,
    translations: french.translations,
  });
  return estimator.check(password, userInputs);
}

/** The reason a password is refused, in French, or null when it is acceptable. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Le mot de passe doit faire au moins ${MIN_PASSWORD_LENGTH} caractères.`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `Le mot de passe doit faire au plus ${MAX_PASSWORD_LENGTH} caractères.`;
  }
  // Score 3 of 4: beyond the reach of the lists of leaked and common passwords.
  if (strength(password, userInputs).score < 3) {
    return 'Ce mot de passe est trop courant ou trop facile à deviner : choisissez une phrase de plusieurs mots.';
  }
  return null;
}

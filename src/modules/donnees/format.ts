import type { PublicationResult } from './publish.ts';

const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** A size as people read it: « 850 octets », « 12,3 Ko », « 4,1 Mo ». */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} octet${bytes > 1 ? 's' : ''}`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} Ko`;
  return `${decimal.format(bytes / (1024 * 1024))} Mo`;
}

export const OUTCOMES: Record<PublicationResult['status'], string> = {
  publie: 'nouvelle version publiée',
  inchange: 'inchangé',
  indisponible: 'pas encore disponible',
  erreur: 'erreur',
};

/** One dataset's outcome in a sentence, for the command line and the report page. */
export function outcomeText(result: PublicationResult): string {
  if (result.status === 'erreur')
    return `erreur : ${result.error ?? 'inconnue'} (les fichiers précédents restent publiés)`;
  if (result.status === 'indisponible') return OUTCOMES.indisponible;
  const sizes = Object.entries(result.bytes)
    .map(([format, bytes]) => `${format.toUpperCase()} ${formatBytes(bytes)}`)
    .join(', ');
  return `${OUTCOMES[result.status]}, ${result.rows} ligne${result.rows > 1 ? 's' : ''} (${sizes})`;
}

/** How the module writes figures in French, in its commands, summaries and mail. */
const count = new Intl.NumberFormat('fr-FR');
const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

export const formatCount = (n: number) => count.format(n);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} octets`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} Ko`;
  if (bytes < 1024 * 1024 * 1024) return `${decimal.format(bytes / 1024 / 1024)} Mo`;
  return `${decimal.format(bytes / 1024 / 1024 / 1024)} Go`;
}

export const formatDuration = (ms: number) => `${decimal.format(ms / 1000)} s`;

export const plural = (n: number, word: string) => `${count.format(n)} ${word}${n > 1 ? 's' : ''}`;

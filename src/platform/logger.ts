import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Path segments that are secrets themselves: one-time links, statistics share links and
 * mandate fingerprints (whoever holds one reads what it opens). Kept out of the logs.
 */
const SECRET_PATHS = /^(\/(?:invitation|mot-de-passe|statistiques\/partage|mandats\/verifier)\/)[^/?]+/;

/** `/invitation/abc?code=x` → `/invitation/[masqué]`: no token, no query string in the logs. */
export function scrubUrl(url: string): string {
  return url.split('?')[0]!.replace(SECRET_PATHS, '$1[masqué]');
}

/** JSON logs on stdout (or `destination`). Secrets and personal data never reach them. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: {
      req: (req: { method?: string; url?: string; remoteAddress?: string; ip?: string }) => ({
        method: req.method,
        url: scrubUrl(req.url ?? ''),
      }),
    },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password'],
      censor: '[masqué]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

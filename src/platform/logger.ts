import pino, { type Logger } from 'pino';

/** Path segments that are secrets themselves (one-time links): kept out of the logs. */
const SECRET_PATHS = /^(\/(?:invitation|mot-de-passe)\/)[^/?]+/;

/** `/invitation/abc?code=x` → `/invitation/[masqué]`: no token, no query string in the logs. */
export function scrubUrl(url: string): string {
  return url.split('?')[0]!.replace(SECRET_PATHS, '$1[masqué]');
}

/** JSON logs on stdout. Secrets and personal data never reach them. */
export function createLogger(level: string): Logger {
  return pino({
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
  });
}

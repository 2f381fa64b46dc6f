import pino, { type Logger } from 'pino';

/** JSON logs on stdout. Secrets and personal data never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password'],
      censor: '[masqué]',
    },
  });
}

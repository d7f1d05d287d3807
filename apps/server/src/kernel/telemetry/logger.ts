import pino, { type Logger } from 'pino';

export type { Logger };

/** The one logger; secrets in well-known places are redacted before they reach any sink. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'token', '*.token', 'key', '*.key'],
      censor: '[redacted]',
    },
  });
}

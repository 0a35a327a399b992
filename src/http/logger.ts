/**
 * Structured JSON logs (pino). Requests are logged by method, path and status only:
 * never headers, query strings or bodies, which carry credentials. The redact list is
 * a second line of defence for anything that logs an object by mistake.
 */
import pino, { type Logger } from 'pino';

export function createLogger(level = process.env.TESSERA_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'tessera' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        'client_secret',
        '*.client_secret',
        'password',
        '*.password',
        'token',
        '*.token',
        'access_token',
        '*.access_token',
        'refresh_token',
        '*.refresh_token',
        'client_assertion',
        '*.client_assertion',
      ],
      censor: '[redacted]',
    },
  });
}

import pino from 'pino';

export type Logger = pino.Logger;
/** Where log lines go instead of stdout (tests read them). */
export type LogDestination = pino.DestinationStream;

/** Paths that may hold secrets; pino replaces their values before anything is written. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  '*.*.refreshToken',
  'paymentToken',
  '*.paymentToken',
  '*.*.paymentToken',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
  'variables',
  '*.variables',
];

export function createLogger(service: string, level: string, destination?: LogDestination): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

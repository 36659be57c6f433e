/**
 * What the domain code needs of a logger. firebase-functions' `logger` satisfies it (structured
 * entries for Cloud Logging); the command line prints plain lines. Messages come only from the
 * catalogues in this folder, so every line is findable and no secret is ever interpolated.
 */
import { escapeControl } from './escape';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger for terminals: info lines on stdout; warnings and errors on stderr, with their simple
 * fields (a lead id, say) so that the operator can find what they are about. Messages and fields
 * carry values from leads, so control characters are escaped here, once for every line: no value
 * can end a line early or drive the terminal (structured loggers encode them as JSON already).
 */
export const plainLogger: Logger = {
  info: (message) => process.stdout.write(`${escapeControl(message)}\n`),
  warn: (message, fields) => process.stderr.write(withFields(message, fields)),
  error: (message, fields) => process.stderr.write(withFields(message, fields)),
};

/** Drops info lines; warnings and errors still reach stderr. */
export const quietLogger: Logger = {
  info: () => undefined,
  warn: plainLogger.warn,
  error: plainLogger.error,
};

function withFields(message: string, fields: Record<string, unknown> | undefined): string {
  const shown = Object.entries(fields ?? {})
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
    .map(([key, value]) => `${escapeControl(key)}=${escapeControl(String(value))}`);
  const line = escapeControl(message);
  return shown.length ? `${line} (${shown.join(', ')})\n` : `${line}\n`;
}

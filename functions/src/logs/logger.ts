/**
 * What the domain code needs of a logger. firebase-functions' `logger` satisfies it (structured
 * entries for Cloud Logging); the command line prints plain lines. Messages come only from the
 * catalogues in this folder, so every line is findable and no secret is ever interpolated.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that prints the message only: info to stdout, the rest to stderr. */
export const plainLogger: Logger = {
  info: (message) => process.stdout.write(`${message}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
  error: (message) => process.stderr.write(`${message}\n`),
};

/** Drops info lines; warnings and errors still reach stderr. */
export const quietLogger: Logger = {
  info: () => undefined,
  warn: plainLogger.warn,
  error: plainLogger.error,
};

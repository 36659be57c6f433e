import type { Logger } from '../../functions/src/logs/logger';

/** A logger that keeps what it is told, as `LEVEL message` lines. */
export function recordingLogger(): Logger & {
  lines: string[];
  messages(level?: string): string[];
} {
  const lines: string[] = [];
  const record = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return {
    lines,
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
    messages: (level?: string) =>
      lines
        .filter((line) => level === undefined || line.startsWith(`${level} `))
        .map((line) => line.slice(line.indexOf(' ') + 1)),
  };
}

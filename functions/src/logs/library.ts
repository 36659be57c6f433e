/**
 * Lines that @polkadot's libraries log. They use their own logger (@polkadot/util `logger`),
 * which writes straight to the console, `<date> <TAG>: <values>`, and quotes the endpoint URL as
 * given, user, password and API key included (`RPC-CORE: … disconnected from ws://user:pass@…`).
 * It has no hook, so the console methods are wrapped, once: a call shaped like one of its lines
 * is sent, scrubbed and escaped, to our logger; any other call reaches the console unchanged.
 */
import { inspect } from 'node:util';
import { plainLogger, type Logger } from './logger';

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const METHODS: readonly ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug'];

// The logger's first two arguments: formatDate(new Date()) and `${ORIGIN}:` padded to 16.
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const TAG = /^ *[A-Z0-9][A-Z0-9/_.-]*:$/;

interface Route {
  log: Logger;
  scrub: (text: string) => string;
}

let route: Route | undefined;

/**
 * Sends @polkadot's log lines to `log` (stderr lines by default), each passed through `scrub`
 * first. The console is wrapped at the first call; later calls only change where lines go.
 */
export function routeLibraryLogs(scrub: (text: string) => string, log?: Logger): void {
  const first = route === undefined;
  route = { scrub, log: log ?? route?.log ?? stderrLogger };
  if (!first) return;
  for (const method of METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      if (route !== undefined && isLibraryLine(args)) libraryLine(route, method, args);
      else original.apply(console, args);
    };
  }
}

function isLibraryLine(args: readonly unknown[]): boolean {
  const [date, tag] = args;
  return typeof date === 'string' && typeof tag === 'string' && DATE.test(date) && TAG.test(tag);
}

/** Library lines are diagnostics: never on stdout, where `--json` prints its result. */
const stderrLogger: Logger = {
  info: plainLogger.warn,
  warn: plainLogger.warn,
  error: plainLogger.error,
};

function libraryLine({ log, scrub }: Route, method: ConsoleMethod, args: readonly unknown[]) {
  const tag = String(args[1]).trim().slice(0, -1);
  // Every value rendered to text before the scrub, so that it sees all of it.
  const text = scrub(args.slice(2).map(render).join(' '));
  const message = `${tag}: ${text}`;
  if (method === 'error') log.error(message, { library: tag });
  else log.warn(message, { library: tag });
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  return inspect(value, { breakLength: Infinity, depth: 4 });
}

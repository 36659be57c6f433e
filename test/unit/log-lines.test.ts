// One log call is one line, whatever a lead holds (issue 12, finding 8), and @polkadot's own log
// lines reach our logger scrubbed of endpoint secrets (finding 2).
import { logger as polkadotLogger } from '@polkadot/util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scrubEndpoints } from '../../functions/src/chain/endpoints';
import { escapeControl } from '../../functions/src/logs/escape';
import { routeLibraryLogs } from '../../functions/src/logs/library';
import { plainLogger } from '../../functions/src/logs/logger';
import * as reviewLogs from '../../functions/src/logs/review';
import * as scoringLogs from '../../functions/src/logs/scoring';
import { recordingLogger } from '../support/logger';

afterEach(() => {
  vi.restoreAllMocks();
});

/** What plainLogger writes, stdout and stderr together. */
function written(run: () => void): string {
  let text = '';
  const capture = (chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  run();
  vi.restoreAllMocks();
  return text;
}

describe('escapeControl', () => {
  it.each([
    ['newline', 'a\nb', 'a\\nb'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['ANSI escape', '\u001b[2J', '\\u001b[2J'],
    ['NUL and DEL', '\u0000\u007f', '\\u0000\\u007f'],
    ['C1 control', '\u009b', '\\u009b'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['right-to-left override', '\u202eevil', '\\u202eevil'],
    ['plain text, emoji and accents', '✅ café 5Grw…', '✅ café 5Grw…'],
  ])('escapes %s', (_name, text, expected) => {
    expect(escapeControl(text)).toBe(expected);
  });
});

describe('plain log lines (finding 8)', () => {
  const forged = 'lead-1\n2026-11-20 00:00:00 ✅ Published new weights:\u001b[2K\r';

  it('keeps each catalogue line on one line, with the lead id escaped', () => {
    const text = written(() => {
      scoringLogs.leadMissingHotkey(plainLogger, 'source', forged);
      scoringLogs.unexpectedCreatedAtType(plainLogger, 'map', forged);
      reviewLogs.leadAccepted(plainLogger, forged);
      reviewLogs.leadRejected(plainLogger, forged, `duplicate of lead ${forged}`);
    });
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toMatch(/\p{Cc}/u);
      expect(line).toContain('lead-1\\n2026-11-20');
    }
  });
});

describe('@polkadot log lines (finding 2)', () => {
  it('go to our logger, scrubbed and escaped; other console calls pass unchanged', () => {
    const log = recordingLogger();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    routeLibraryLogs(scrubEndpoints, log);
    const url = "ws://user:pa'ss@127.0.0.1:1/ws?apikey=SECRET20,KEY20";
    polkadotLogger('rpc-core').error(
      `getBlockHash(blockNumber?: BlockNumber): BlockHash:: disconnected from ${url}: 1006::`,
    );
    polkadotLogger('api-ws').warn(new Error(`disconnected from ${url}\nforged`));
    console.error('an ordinary line, ws://kept@example.org/path');

    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(
      /^ERROR RPC-CORE: getBlockHash.*ws:\/\/127\.0\.0\.1:1\/…: 1006::$/,
    );
    expect(log.lines[1]).toMatch(/^WARN API-WS: disconnected from ws:\/\/127\.0\.0\.1:1\/…/);
    expect(log.lines.join('\n')).not.toMatch(/pa'ss|SECRET20|KEY20/);
    // The console itself got only the line that was not the library's.
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(consoleError).toHaveBeenCalledWith('an ordinary line, ws://kept@example.org/path');
  });
});

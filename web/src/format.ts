/**
 * How times, blocks and hashes are shown. Every time on the page is in one format, in UTC:
 * `2026-12-01 14:00:03 UTC` (the chart's axis shows parts of it: `2026-12-01`, `14:00`). UTC is
 * what the chain, the functions' logs and `weights history` use, so a time read here is found
 * there as it is, whatever the viewer's time zone; year-month-day order cannot be misread.
 */
const pad = (n: number) => String(n).padStart(2, '0');

export const isValidDate = (date: Date) => Number.isFinite(date.getTime());

/** 2026-12-01 14:00:03 UTC; an invalid date is "—". */
export function dateTime(date: Date): string {
  if (!isValidDate(date)) return '—';
  return `${day(date)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** 2026-12-01 (UTC). */
export function day(date: Date): string {
  if (!isValidDate(date)) return '—';
  const year = date.getUTCFullYear();
  const y = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : String(year);
  return `${y}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** 14:00 (UTC). */
export function clock(date: Date): string {
  if (!isValidDate(date)) return '—';
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

const DAY_S = 86_400;

/**
 * The chart's time axis, in parts of the same format: days as 2026-12-01; hours as 14:00, with
 * the day under the first tick and under each tick where the day changes. `splits` are in seconds.
 */
export function timeTicks(splits: readonly number[], incrSeconds: number): string[] {
  let previousDay: string | undefined;
  return splits.map((t) => {
    const date = new Date(t * 1000);
    const d = day(date);
    if (incrSeconds >= DAY_S) return d;
    const label = d === previousDay ? clock(date) : `${clock(date)}\n${d}`;
    previousDay = d;
    return label;
  });
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** "3 minutes ago", "in 2 hours"; nothing for an invalid date. */
export function fromNow(date: Date, nowMs = Date.now()): string {
  if (!isValidDate(date)) return '';
  const seconds = Math.round((date.getTime() - nowMs) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second')
      return relative.format(Math.round(seconds / size), unit);
  }
  return '';
}

/** 1 h 2 min, 45 s. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function block(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `#${n.toLocaleString('en')}`;
}

export function shortHash(hash: string | null | undefined): string {
  if (!hash) return '—';
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}

/**
 * At most `max` characters (code points, so that no surrogate pair is split) of a text, with "…"
 * where it was cut: for the places that summarise (header, cards, table); the detail shows all.
 */
export function brief(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

export const humanize = (code: string) => code.replaceAll('_', ' ');

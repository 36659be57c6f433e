/**
 * Values interpolated into log lines come from miners (lead ids, hotkeys, dates) and libraries
 * (error text): a newline in one would start a forged line, an ANSI escape would rewrite the
 * terminal, a bidirectional override would reorder what the operator reads. Each such character
 * is written as a visible escape instead, so one call is one line and reads as what it holds.
 */

// Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and the
// bidirectional marks and overrides (U+061C, U+200E/F, U+202A–E, U+2066–9).
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with every control or reordering character as `\n`, `\r`, `\t` or `\uXXXX`. */
export function escapeControl(text: string): string {
  return text.replace(
    UNSAFE,
    (char) => SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

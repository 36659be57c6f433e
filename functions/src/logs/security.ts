/** Log lines of the guards: the validator's own hotkey left out, a hotkey secret refused. */
import type { Logger } from './logger';

export function selfWeightExcluded(log: Logger, hotkey: string, share: number): void {
  log.warn(
    `Leads name the validator's own hotkey ${hotkey} as a miner: its share ${share.toFixed(4)} is dropped (ALLOW_SELF_WEIGHT=true keeps it)`,
    { hotkey, share },
  );
}

/** The reason is HotkeySecretError's message, which never holds the secret. */
export function invalidHotkeySecret(log: Logger, reason: string): void {
  log.error(`The validator hotkey secret is not usable: ${reason}; nothing is published`, {
    error_code: 'InvalidHotkeySecret',
  });
}

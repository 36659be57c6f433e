/**
 * Polls `check` every 50 ms until it holds; throws after `ms`, a ceiling generous enough for a
 * loaded machine (the wait ends as soon as the state is reached).
 */
export async function waitFor(check: () => Promise<unknown>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

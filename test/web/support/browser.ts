// Headless Chromium from Debian's `chromium` package, driven by playwright-core: no browser is
// downloaded. Without it the browser tests fail and say how to install it.
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const ARTIFACTS = resolve(__dirname, '../../../test-artifacts/web');

export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      'The browser tests need Chromium, and none is installed. Install Debian’s package with ' +
        '`sudo apt-get install -y chromium` (.ci/run does this when it runs as root), or set ' +
        'CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true });
}

/** Saves test-artifacts/web/<name>.png: the whole page, the viewport, or down to an element. */
export async function screenshot(
  page: Page,
  name: string,
  to: 'page' | 'viewport' | Locator = 'page',
): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  if (typeof to !== 'string') {
    const box = await to.boundingBox();
    if (!box) throw new Error(`${name}: nothing to show`);
    const width = page.viewportSize()?.width ?? 1280;
    const clip = { x: 0, y: 0, width, height: box.y + box.height + 16 };
    await page.screenshot({ path, fullPage: true, clip });
  } else {
    await page.screenshot({ path, fullPage: to === 'page' });
  }
  return path;
}

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's violations of serious or critical impact on the page as it is now. axe is evaluated
 * through the DevTools protocol: the page's Content-Security-Policy refuses an inline script tag.
 */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.evaluate(`${axe.source}\n;undefined`);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
    })))`,
  )) as Violation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

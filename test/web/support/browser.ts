// Headless Chromium from Debian's `chromium` package, driven by playwright-core: no browser is
// downloaded. Without it the browser tests fail and say how to install it.
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';

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

/**
 * Collects the Content-Security-Policy violations of every page of the context into `into`: each
 * `securitypolicyviolation` event (through a binding, so that none is lost when the page
 * navigates) and each console message of Chromium about the policy (one per blocked load, script
 * or style).
 */
export async function watchCsp(context: BrowserContext, into: string[]): Promise<void> {
  await context.exposeBinding('reportCspViolation', ({ page }, violation: string) => {
    into.push(`${page.url()}: ${violation}`);
  });
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    window.reportCspViolation(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
      ' at ' + e.sourceFile + ':' + e.lineNumber + ' (' + e.disposition + ')');
  });`);
  context.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) into.push(`console: ${message.text()}`);
  });
}

/** A text a canvas drew, where, and how large, in CSS pixels of the page. */
export interface DrawnText {
  text: string;
  /** The font's size as drawn, in CSS pixels. */
  fontPx: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Records every text the page's canvases draw (fillText), with its box as the canvas measures it
 * and its transform (rotated axis labels too), since the last time each canvas was cleared whole.
 * uPlot draws its axes on a canvas: this is how a test sees their labels. Through the DevTools
 * protocol, like watchCsp, so the page's policy is not involved.
 */
export async function recordCanvasText(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const proto = CanvasRenderingContext2D.prototype;
    const { fillText, clearRect } = proto;
    proto.clearRect = function (x, y, w, h) {
      if (x <= 0 && y <= 0 && x + w >= this.canvas.width && y + h >= this.canvas.height)
        this.canvas.__drawnText = [];
      return clearRect.apply(this, arguments);
    };
    proto.fillText = function (text, x, y) {
      const m = this.measureText(text);
      const t = this.getTransform();
      const xs = [x - m.actualBoundingBoxLeft, x + m.actualBoundingBoxRight];
      const ys = [y - m.actualBoundingBoxAscent, y + m.actualBoundingBoxDescent];
      const corners = xs.flatMap((px) => ys.map((py) => [t.a * px + t.c * py + t.e, t.b * px + t.d * py + t.f]));
      const size = /([0-9.]+)px/.exec(this.font);
      (this.canvas.__drawnText ??= []).push({
        text: String(text),
        fontPx: size ? Number(size[1]) * Math.hypot(t.a, t.b) : 0,
        left: Math.min(...corners.map((c) => c[0])),
        right: Math.max(...corners.map((c) => c[0])),
        top: Math.min(...corners.map((c) => c[1])),
        bottom: Math.max(...corners.map((c) => c[1])),
      });
      return fillText.apply(this, arguments);
    };
  })();`);
}

/** What the canvas drew (see recordCanvasText), in CSS pixels relative to the canvas. */
export async function drawnText(
  canvas: Locator,
): Promise<{ width: number; height: number; texts: DrawnText[] }> {
  return canvas.evaluate((c) => {
    const scale = c.clientWidth / c.width;
    const drawn: DrawnText[] = c.__drawnText ?? [];
    return {
      width: c.clientWidth,
      height: c.clientHeight,
      texts: drawn.map((t) => ({
        text: t.text,
        fontPx: t.fontPx * scale,
        left: t.left * scale,
        right: t.right * scale,
        top: t.top * scale,
        bottom: t.bottom * scale,
      })),
    };
  });
}

/**
 * Headless Chromium for report tests and screenshots: Debian's chromium
 * driven by playwright-core, isolated (fresh profile, no network services).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium binary. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when the browser tests can run. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A launched browser and the cleanup that closes it and removes its profile. */
export interface LaunchedBrowser {
  /** Persistent context on the fresh profile (playwright refuses --user-data-dir in args). */
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launch headless Chromium on a fresh user-data-dir (a temp profile) with no background networking. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tuneup-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Non-transparent pixels per canvas of the page (a chart drew something, not just an empty frame). */
export async function canvasInk(page: Page): Promise<number[]> {
  return page.$$eval('canvas', (canvases) =>
    canvases.map((c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) ink++;
      return ink;
    }),
  );
}

/**
 * report.html as a person sees it: opened from disk in headless Chromium (Debian's `chromium` package), with every
 * console error, page error and outside request counted as a failure. Skips only when that browser is not installed.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_TITLES } from '../../src/report/chart-specs.ts';
import { writeReports } from '../../src/report/write-report.ts';
import { replayReportFixture } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `SKIPPED report.html browser test: ${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)`,
  );

/** Set to a path to keep a full-page screenshot for a look by eye (e.g. LWSIM_REPORT_SCREENSHOT=/tmp/report.png). */
const KEEP_SCREENSHOT = process.env.LWSIM_REPORT_SCREENSHOT;

interface ChartBox {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly marks: number;
}

describe.skipIf(!hasChromium)(
  `report.html in headless Chromium${hasChromium ? '' : ` (SKIPPED: ${CHROMIUM} not installed)`}`,
  () => {
    let browser: Browser;
    let dir: string;

    // Starting the browser while the rest of the suite runs on a 2-core machine has taken over 10 s (vitest's default).
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lwsim-report-browser-'));
      // executablePath: the system browser; playwright-core never downloads one.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('loads without errors or outside requests and shows three sized charts', async () => {
      const { html } = await writeReports(replayReportFixture(), dir);
      const url = pathToFileURL(html).href;
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (r.url() !== url) problems.push(`request: ${r.url()}`);
      });

      await page.goto(url, { waitUntil: 'load' });
      const charts: ChartBox[] = await page.$$eval('figure svg', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            title: svg.closest('figure')?.getAttribute('aria-label') ?? '',
            width: box.width,
            height: box.height,
            marks: svg.querySelectorAll('path, rect').length,
          };
        }),
      );
      const screenshot = join(dir, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();
      if (KEEP_SCREENSHOT) await copyFile(screenshot, KEEP_SCREENSHOT);

      expect(problems).toEqual([]);
      expect(charts.length).toBeGreaterThanOrEqual(3);
      expect(charts.map((c) => c.title)).toEqual(Object.values(CHART_TITLES));
      for (const c of charts) {
        expect(c.width, c.title).toBeGreaterThan(300);
        expect(c.height, c.title).toBeGreaterThan(150);
        expect(c.marks, c.title).toBeGreaterThan(5);
      }
      expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    }, 60_000);
  },
);

/**
 * Debian's Chromium for end-to-end tests: launched headless through playwright-core,
 * with its process id kept so that a browser that will not close cannot keep the test
 * process alive, and a watch on what a page reports as wrong (console errors, CSP
 * violations, uncaught exceptions) and on every request it makes.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
/** For `it(..., { skip })`: skipped without Chromium locally, a failure when CI is set. */
export const skipWithoutChromium =
  !chromiumAvailable && !process.env.CI ? `${CHROMIUM} not found (apt-get install chromium); set CI to make this a failure` : false;

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Waits for `promise` at most `ms`; true if it settled in time. Never rejects. */
export async function bounded(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** `extraArgs`, e.g. `--host-resolver-rules=...` so that a made-up client host fails at once. */
export async function launchChromium(extraArgs: string[] = []): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...LAUNCH_ARGS, ...extraArgs], timeout: 30_000 });
  const { processInfo } = (await (await browser.newBrowserCDPSession()).send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const pid = processInfo.find((p) => p.type === 'browser')?.id;
  return {
    browser,
    async close() {
      if (!(await bounded(browser.close(), 5_000)) && pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Console errors, CSP violations and uncaught exceptions, in order. */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
}

export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error at ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error at ${page.url()}: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  // Init scripts go through the DevTools protocol, so the pages' CSP does not block them.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' on ' + e.documentURI);
  });`);
  return { page, problems, requests };
}

// A real browser for the tests that look at the Jaeger UI as a learner does: Debian's Chromium (installed with
// apt-get when missing, like socat in native/build.ts), driven by playwright-core, which downloads no browser of
// its own. On a failed test the page's screenshot and console errors are saved and printed.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cacheRoot, runRoot } from '../../native/lib/paths.ts';
import { step } from '../../native/lib/proc.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * This machine has no GPU and a closed network: the flags keep Chromium from phoning home (sync, component
 * updates, background requests, QUIC), from its first-run screens, and from its sandbox, which refuses to
 * start as root. Playwright adds --headless itself (`headless: true`).
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fixed window size, so screenshots and layouts are the same on every run. */
export const VIEWPORT = { width: 1280, height: 800 };

/** Where failed tests leave their screenshots (gitignored, like the lab's logs). */
export const FAILURES_DIR = path.join(runRoot, 'browser');

/** Installs Debian's chromium when it is missing (root, as the native lab runs). */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  console.log('chromium: installing from Debian (apt-get install chromium)');
  const opts = {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    logFile: path.join(cacheRoot, 'apt-chromium.log'),
  };
  await step('chromium', 'apt-get', ['update'], opts); // a fresh machine's package lists may be empty or stale
  await step('chromium', 'apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], opts);
}

export async function launch(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page that remembers its console errors and uncaught exceptions, for a failure report. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return { page, errors };
}

/**
 * Runs `fn` on the page; if it throws, saves a screenshot (path printed) and prints the page's URL and
 * console errors, then rethrows.
 */
export async function onPage<T>(
  name: string,
  watched: WatchedPage,
  fn: (page: Page) => Promise<T>,
): Promise<T> {
  try {
    return await fn(watched.page);
  } catch (error) {
    mkdirSync(FAILURES_DIR, { recursive: true });
    const base = path.join(FAILURES_DIR, name.replace(/[^\w.-]+/g, '_'));
    const lines = [
      `page: ${watched.page.url()}`,
      ...(watched.errors.length > 0 ? watched.errors : ['(none)']),
    ];
    writeFileSync(`${base}.console.txt`, `${lines.join('\n')}\n`);
    try {
      await watched.page.screenshot({ path: `${base}.png`, fullPage: true });
      console.log(`\n===== browser: ${name} failed; screenshot ${base}.png =====`);
    } catch (shotError) {
      console.log(`\n===== browser: ${name} failed; no screenshot: ${(shotError as Error).message} =====`);
    }
    console.log(`${lines.join('\n')}\n=====`);
    throw error;
  }
}

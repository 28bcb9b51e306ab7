// Debian's Chromium driven by playwright-core, for the consoles' browser stories: one headless
// browser with a fresh profile per test file, pages that record what the browser complained about,
// screenshots kept in tests/artifacts/ (gitignored) for people to look at, and an accessibility
// check with axe-core run inside the page.
import { hangDeadlineMs } from './hang-deadline.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) =>
  existsSync(path),
);
export const artifacts = join(import.meta.dirname, '..', 'artifacts');

export interface ConsoleBrowser {
  context: BrowserContext;
  /** A new tab that collects console errors, failed page scripts and CSP violations. */
  newPage(): Promise<{ page: Page; problems: string[] }>;
  /** Saves a screenshot under tests/artifacts/NAME.png. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  if (chromiumPath === undefined) throw new Error('Chromium is not installed (apt-get install -y chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'counterpart-chromium-'));
  mkdirSync(artifacts, { recursive: true });
  // A fresh profile each run (persistent contexts take it as userDataDir, not as an argument).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      return { page, problems };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `expression` is truthy in the page; the deadline only bounds a hang. Playwright's
 * own waitForFunction evaluates its predicate with eval inside the page, which the consoles' CSP
 * (script-src 'self', no 'unsafe-eval') refuses and Chromium reports as a violation. page.evaluate
 * goes through the DevTools protocol, which the page's CSP does not govern.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = hangDeadlineMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<unknown>(expression))) {
    if (Date.now() > deadline) throw new Error(`the page never reached: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Logs in on the chat console's login form with an invite code and goes on to `next`. */
export async function logInWithInvite(page: Page, base: string, code: string, next: string): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('textbox', { name: 'Invite code' }).fill(code);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's violations of impact "serious" or "critical" on the page as it is now. The script is
 * evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
 * govern, so the page keeps its real policy while it is checked.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate<boolean>('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
      })),
    )`);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

// The stewardship console's registry page with 500 contacts: how long its first page (100 rows,
// sorted by name) takes. `console_registry_500_first_page_ms` is the median time from sending the
// request to the last byte of the page (server-rendered HTML, production entry point, embedded
// database); `console_registry_500_first_page_browser_ms` the median time Debian's Chromium needs
// from navigation to the load event (page, style sheet and scripts), when Chromium is installed.
// Target: under a second. Runs alone with
//   node -e "import('./bench/console.bench.ts').then((p) => p.run({ log: console.error })).then((r) => console.log(r.figures))"
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { callApi, startAppServer } from './harness/app-server.ts';
import { largeRegistryFile } from './harness/large-registry.ts';
import { startUsageWindow, type MachineUsage } from './harness/machine.ts';
import type { PartContext, PartResult } from './harness/part.ts';
import { startBenchRedis } from './harness/services.ts';
import { round } from './harness/statistics.ts';

export const name = 'console';

const warmup = 5;
const samples = 30;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
};

export async function run(context: PartContext): Promise<PartResult> {
  const redis = await startBenchRedis();
  const server = await startAppServer({ env: { REDIS_URL: redis.url, DEMO_SEED: 'false' } });
  const warnings: string[] = [];
  try {
    // One country of 500 contacts (the demo's vocabulary and treaties).
    const file = largeRegistryFile(1, 500);
    if (file.contacts.length !== 500) throw new Error('expected 500 contacts');
    // Treaties may name only the registry's countries: keep those of this one country.
    const countries = new Set(file.countries.map((country) => country.iso2));
    file.treaties = file.treaties
      .map((treaty) =>
        treaty.parties === 'all'
          ? treaty
          : { ...treaty, parties: treaty.parties.filter((party) => countries.has(party)) },
      )
      .filter((treaty) => treaty.parties === 'all');
    await callApi(server, 'POST', '/v1/registry/import', file);
    const login = await fetch(`${server.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-counterpart-csrf': '1' },
      body: JSON.stringify({ token: server.adminToken }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (!login.ok || cookie === '') throw new Error(`console login failed: ${String(login.status)}`);

    const endUsage = startUsageWindow();
    let usage: MachineUsage | undefined;
    const times: number[] = [];
    let bytes = 0;
    for (let index = 0; index < warmup + samples; index++) {
      const started = performance.now();
      const response = await fetch(`${server.url}/console/registry`, { headers: { cookie } });
      const body = await response.text();
      const elapsed = performance.now() - started;
      // Active contacts are listed by default (the generated registry retires a few).
      const listed = Number(/id="result-count">(\d+) contacts/.exec(body)?.[1] ?? 0);
      if (!response.ok || listed < 400)
        throw new Error(`the registry page did not list the contacts: ${String(response.status)}`);
      if (index === 0) context.log(`the registry page lists ${String(listed)} active contacts`);
      bytes = body.length;
      if (index >= warmup) times.push(elapsed);
    }
    context.log(`registry page: ${String(bytes)} characters, median ${String(round(median(times), 1))} ms`);

    const figures: Record<string, number> = {
      console_registry_500_first_page_ms: round(median(times), 1),
      console_registry_500_first_page_p95_ms: round(percentile(times, 0.95), 1),
      console_registry_500_first_page_kb: Math.round(bytes / 1024),
    };

    const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
    if (browserPath === undefined) warnings.push('Chromium not installed: no browser figure');
    else {
      const profile = mkdtempSync(join(tmpdir(), 'counterpart-bench-chromium-'));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: browserPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      try {
        const [name, value] = cookie.split('=');
        await browser.addCookies([{ name: name ?? '', value: value ?? '', url: server.url }]);
        const page = await browser.newPage();
        const loads: number[] = [];
        for (let index = 0; index < warmup + 10; index++) {
          const started = performance.now();
          await page.goto(`${server.url}/console/registry`, { waitUntil: 'load' });
          if (index >= warmup) loads.push(performance.now() - started);
        }
        figures.console_registry_500_first_page_browser_ms = round(median(loads), 1);
        // Measured before the browser closes: its processes die in no set order, and a renderer
        // whose parent went first is reaped by init, so its CPU time would count as someone else's
        // (the part was marked noisy for its own Chromium).
        usage = endUsage();
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
    return { figures, ratios: {}, usages: [usage ?? endUsage()], warnings };
  } finally {
    await server.stop();
    await redis.close();
  }
}

// The README's table of benchmark figures, written from bench/results.json after a run, so the
// manual shows the latest figures of a quiet machine with their baselines. Parts measured on a
// busy machine are not copied: their rows keep saying so.
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';

interface KeyFigure {
  figure: string;
  part: string;
  what: string;
  target: string;
}

export const keyFigures: readonly KeyFigure[] = [
  {
    figure: 'contacts_vs_trivial_rps_ratio',
    part: 'contacts',
    what: '`GET /v1/contacts?country=KG&competence=extradition` vs `GET /healthz`, same server',
    target: '>= 0.6',
  },
  {
    figure: 'ask_vs_trivial_rps_ratio',
    part: 'ask',
    what: '`POST /v1/ask`, 140 distinct questions in turn, every text new, vs `GET /healthz`',
    target: '>= 0.6',
  },
  {
    figure: 'ask_single_question_vs_trivial_rps_ratio',
    part: 'ask',
    what: '`POST /v1/ask`, one question repeated, vs `GET /healthz` (for comparison only)',
    target: '',
  },
  {
    figure: 'ask_p99_ms_large_registry_http',
    part: 'ask',
    what: 'p99 of `POST /v1/ask` through HTTP, 100,000-contact registry, 10 connections',
    target: '< 20 ms',
  },
  {
    figure: 'ask_p99_ms_large_registry',
    part: 'ask',
    what: 'interpret + rank in process, same registry',
    target: '< 5 ms',
  },
  {
    figure: 'rss_mb_after_load',
    part: 'memory',
    what: 'server resident memory after 200,000 questions and contact lists (demo registry, embedded database)',
    target: '< 400 MB',
  },
  {
    figure: 'console_registry_500_first_page_ms',
    part: 'console',
    what: 'stewardship console `/console/registry`, 500 contacts, first page (100 rows): request to last byte',
    target: '< 1000 ms',
  },
  {
    figure: 'console_registry_500_first_page_browser_ms',
    part: 'console',
    what: 'the same page in Debian Chromium: navigation to the load event (HTML, CSS, scripts)',
    target: '< 1000 ms',
  },
  {
    figure: 'webhook_vs_bare_grammy_ratio',
    part: 'telegram',
    what: 'Telegram webhook updates through the whole engine vs a bare grammY bot answering "ok"',
    target: '>= 0.6 (goal 0.8)',
  },
  {
    figure: 'nudge_vs_noop_jobs_ratio',
    part: 'nudges',
    what: 'nudge jobs/s, 100,000 falling due at once, vs BullMQ no-op jobs on the same Redis',
    target: '>= 0.5',
  },
  {
    figure: 'nudge_lateness_p99_ms',
    part: 'nudges',
    what: '100,000 nudges due over one minute: how late the worker fires them',
    target: '< 1000 ms',
  },
  {
    figure: 'telegram_send_rate_fraction_of_limit',
    part: 'nudges',
    what: '1,000 nudges to 1,000 chats against an emulator enforcing 30 messages/s',
    target: '>= 0.9',
  },
  {
    figure: 'telegram_429_count',
    part: 'nudges',
    what: 'the same: refusals for sending too fast',
    target: '0',
  },
];

interface Conditions {
  measuredAt: string;
  noisy: boolean;
  /** Figures move by tens of percent between VM types: a row says where it was measured. */
  machine?: { cpus: number; model: string };
  ratios: Record<string, { baseline: string; baselineRate: number; unit: string; idleShare: number }>;
  during: { idleShare: number };
}

type Results = Record<string, unknown> & { conditions?: Record<string, Conditions> };

const startMarker = '<!-- bench:figures -->';
const endMarker = '<!-- /bench:figures -->';

export function renderTable(results: Results): string {
  const rows = [
    ['Figure', 'Part', 'Measures', 'Target', 'Latest quiet run', 'Baseline', 'Idle share', 'Date', 'Machine'],
    ['---', '---', '---', '---', '---', '---', '---', '---', '---'],
  ];
  for (const key of keyFigures) {
    const conditions = results.conditions?.[key.part];
    const value = results[key.figure];
    const trusted = conditions !== undefined && !conditions.noisy && typeof value === 'number';
    const ratio = conditions?.ratios[key.figure];
    rows.push([
      `\`${key.figure}\``,
      key.part,
      key.what,
      key.target,
      trusted ? String(value) : 'not yet measured on a quiet machine',
      trusted && ratio !== undefined ? `${ratio.baseline}: ${String(ratio.baselineRate)} ${ratio.unit}` : '',
      trusted ? String(ratio?.idleShare ?? conditions.during.idleShare) : '',
      trusted ? conditions.measuredAt.slice(0, 10) : '',
      trusted && conditions.machine !== undefined
        ? `${conditions.machine.model}, ${String(conditions.machine.cpus)} cores`
        : '',
    ]);
  }
  return rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** Rewrites the table between the markers in README.md; false when the markers are missing. */
export async function updateReadme(readmePath: string, results: Results): Promise<boolean> {
  const readme = await readFile(readmePath, 'utf8');
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start === -1 || end < start) return false;
  const replaced = `${readme.slice(0, start + startMarker.length)}\n\n${renderTable(results)}\n\n${readme.slice(end)}`;
  // Formatted as the project formats Markdown, so a bench run leaves `npm run lint` green.
  const updated = await format(replaced, { ...(await resolveConfig(readmePath)), filepath: readmePath });
  if (updated !== readme) await writeFile(readmePath, updated);
  return true;
}

// The poison story of issue 10: one read whose audit entry Postgres would refuse, then 20,000
// audited reads. Every read is recorded, the chain verifies, and the heap does not grow.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the audit log cannot be poisoned or outrun', () => {
  it('after a NUL read, 20,000 reads are all audited, the chain verifies, and the heap stays within 50 MB', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', resolve(import.meta.dirname, 'support/audit-soak-process.ts')],
      { env: { ...process.env, SOAK_READS: '20000' }, maxBuffer: 10 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      edgeStatus: number;
      statuses: Record<string, number>;
      audited: number;
      problems: unknown[];
      heapBefore: number;
      heapAfter: number;
      stats: { queueDepth: number; writeFailuresTotal: number };
    };
    // The poisoned read never answers 5xx, whether the edge refuses it or serves and audits it.
    expect(result.edgeStatus).toBeLessThan(500);
    expect(result.statuses).toEqual({ 200: 20_000 });
    expect(result.audited).toBe(20_000);
    expect(result.problems).toEqual([]);
    expect(result.stats.queueDepth).toBe(0);
    expect(result.heapAfter - result.heapBefore).toBeLessThan(50 * 1024 * 1024);
    console.info(
      `heap before ${(result.heapBefore / 1e6).toFixed(1)} MB, after ${(result.heapAfter / 1e6).toFixed(1)} MB`,
    );
  }, 600_000);
});

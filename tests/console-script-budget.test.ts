// The consoles' JavaScript stays small (issue #15: under 150 kB compressed), since the network's
// offices are often on slow, filtered links: the chat console's script and the stewardship pages'
// (htmx and our own), each gzipped as the server sends it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { consoleScriptBytes } from '../src/console/index.ts';

const budgetBytes = 150 * 1024;

describe('the consoles’ JavaScript budget', () => {
  it('is under 150 kB gzipped for the chat console and the stewardship pages together', () => {
    const chatFolder = join(import.meta.dirname, '..', 'bots', 'web', 'public');
    const chat = readdirSync(chatFolder)
      .filter((file) => file.endsWith('.js'))
      .reduce((sum, file) => sum + gzipSync(readFileSync(join(chatFolder, file)), { level: 9 }).length, 0);
    const stewardship = consoleScriptBytes();
    const total = chat + stewardship.gzip;
    console.info(
      `console JavaScript, gzipped: chat ${String(chat)} B, stewardship ${String(stewardship.gzip)} B, total ${String(total)} B`,
    );
    expect(chat).toBeGreaterThan(0);
    expect(stewardship.gzip).toBeGreaterThan(10_000); // htmx is in it: the count is real.
    expect(total).toBeLessThan(budgetBytes);
  });
});

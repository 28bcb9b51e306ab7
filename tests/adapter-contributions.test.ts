// Adapters bring their own texts and their own secrets to hide: the core's translator and logger
// take them from the adapter registry, so src/ keeps no messenger's chrome or header names.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messengerAdapters } from '../bots/index.ts';
import { messengerLogRedactions } from '../src/application.ts';
import { createTranslator } from '../src/i18n/index.ts';
import { createLogger } from '../src/logging/logger.ts';

const adapterFolders = Object.values(messengerAdapters).flatMap((module) => module.localesFolder ?? []);

describe('what adapters contribute to the core', () => {
  it("loads an adapter's own texts in English and Russian beside the core's", () => {
    const translator = createTranslator(adapterFolders);
    expect(translator.t('en', 'matrix-choices-hint', { count: 3 })).toContain('from 1 to 3');
    expect(translator.has('ru', 'matrix-welcome-unknown')).toBe(true);
    expect(translator.has('en', 'chat-link-done')).toBe(true);
    // Without the adapter's folder the core has no such text.
    expect(createTranslator().has('en', 'matrix-choices-hint')).toBe(false);
  });

  it('refuses an adapter text that would replace a core one', () => {
    const folder = mkdtempSync(join(tmpdir(), 'adapter-locales-'));
    mkdirSync(join(folder, 'en'));
    writeFileSync(join(folder, 'en', 'chrome.ftl'), 'chat-link-done = Hijacked\n');
    expect(() => createTranslator([folder])).toThrow(/chrome\.ftl/);
  });

  it("blanks an adapter's secret header in logs", () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line) => void lines.push(line) }, messengerLogRedactions());
    logger.info({ req: { headers: { 'x-telegram-bot-api-secret-token': 'webhook-s3cret' } } }, 'update');
    expect(lines.join('')).toContain('[REDACTED]');
    expect(lines.join('')).not.toContain('webhook-s3cret');
  });
});

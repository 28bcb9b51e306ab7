// The platform-name gate (scripts/check-platform-names.ts, run by `npm run lint`) flags a
// messenger's name where it is a word or a part of an identifier, not wherever its letters occur:
// it still catches `platform === 'matrix'`, `telegramId` and a comment naming Telegram, and it no
// longer flags "matrices" or, for an adapter named like a common word (signal), "signals".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifierParts, messengerNameMatcher } from '../scripts/platform-name-matcher.ts';

const gate = join(import.meta.dirname, '..', 'scripts', 'check-platform-names.ts');
const namesAMessenger = messengerNameMatcher(['telegram', 'matrix', 'signal', 'rocketChat']);

describe('the platform-name matcher', () => {
  it.each([
    "if (platform === 'matrix') return;",
    'const telegramId = account.id;',
    '// Telegram drops the message when the chat is gone.',
    'config.MATRIX_HOMESERVER_URL',
    "import { x } from '../matrix-bot/index.ts';",
    'const user = new SignalUser();',
    'rocketChatRoom.send()',
    'ROCKET_CHAT_URL',
    "label: 'Telegram's limit'",
  ])('flags %s', (line) => {
    expect(namesAMessenger(line)).toBe(true);
  });

  it.each([
    'const matrices = rows.map(transpose);',
    '// Rate-limit signals are read from the response headers.',
    'designaled, telegrams, matrixes',
    'const rocket = launch(chatRoom);',
    'atelegramme',
  ])('does not flag %s', (line) => {
    expect(namesAMessenger(line)).toBe(false);
  });

  it('splits identifiers at case, underscore and hyphen boundaries', () => {
    expect(identifierParts('telegramIdHTTPServer MATRIX_HOMESERVER_URL matrix-bot x2')).toEqual([
      'telegram',
      'id',
      'http',
      'server',
      'matrix',
      'homeserver',
      'url',
      'matrix',
      'bot',
      'x',
      '2',
    ]);
  });
});

describe('the gate on a source tree', () => {
  it('lists the lines naming a messenger and exits 1; passes a tree with only unrelated words', () => {
    const root = mkdtempSync(join(tmpdir(), 'platform-gate-'));
    try {
      mkdirSync(join(root, 'bots'));
      mkdirSync(join(root, 'src', 'core'), { recursive: true });
      writeFileSync(
        join(root, 'bots', 'index.ts'),
        'export const messengerAdapters = {\n  telegram: a,\n  matrix: b,\n  signal: c,\n};\n',
      );
      const clean = [
        '// Rate-limit signals and score matrices, nothing about a messenger.',
        'export const matrices = [[1]];',
      ];
      writeFileSync(join(root, 'src', 'core', 'clean.ts'), `${clean.join('\n')}\n`);
      const run = () => spawnSync(process.execPath, [gate, root], { encoding: 'utf8' });
      const passed = run();
      expect(passed.stderr).toBe('');
      expect(passed.status).toBe(0);

      writeFileSync(
        join(root, 'src', 'core', 'leaky.ts'),
        [
          "if (platform === 'matrix') return;",
          'const telegramId = 1;',
          '// Telegram refuses long captions.',
          'export const signalStrength = 3;',
          'export const matrices = 2;',
        ].join('\n'),
      );
      const failed = run();
      expect(failed.status).toBe(1);
      const listed = failed.stderr.split('\n').filter((line) => line.includes('src/core/'));
      expect(listed.map((line) => line.trim().split(':').slice(0, 2).join(':'))).toEqual([
        'src/core/leaky.ts:1',
        'src/core/leaky.ts:2',
        'src/core/leaky.ts:3',
        'src/core/leaky.ts:4',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

// Matrix configuration: the bot is off without a homeserver, and with one it refuses to start
// without the key that encrypts its state.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../src/config/config.ts';

const matrix = {
  MATRIX_HOMESERVER_URL: 'https://matrix.example.org',
  MATRIX_USER_ID: '@counterpart:example.org',
  MATRIX_PASSWORD: 'bot-password',
};

describe('Matrix configuration', () => {
  it('is off by default', () => {
    expect(loadConfig({}).matrix).toMatchObject({
      homeserverUrl: undefined,
      storeKey: undefined,
      deviceName: 'Counterpart bot',
    });
  });

  it('requires a store key of at least 32 characters once a homeserver is set', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : ['not a ConfigError'];
      }
    };
    expect(problems(matrix)).toEqual([expect.stringContaining('MATRIX_STORE_KEY')]);
    expect(problems({ ...matrix, MATRIX_STORE_KEY: 'too short' })).toEqual([
      expect.stringContaining('MATRIX_STORE_KEY'),
    ]);
    expect(problems({ ...matrix, MATRIX_PASSWORD: '', MATRIX_STORE_KEY: 'k'.repeat(32) })).toEqual([
      expect.stringContaining('MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD'),
    ]);
  });

  it('reads the store key from a file and never prints it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'matrix-config-'));
    const keyFile = join(folder, 'store-key');
    writeFileSync(keyFile, `${'s'.repeat(40)}\n`);
    const config = loadConfig({
      ...matrix,
      MATRIX_STORE_KEY_FILE: keyFile,
      MATRIX_DEVICE_NAME: 'Registry bot',
    });
    expect(config.matrix.storeKey).toBe('s'.repeat(40));
    expect(config.matrix.deviceName).toBe('Registry bot');
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('s'.repeat(40));
    expect(printed).not.toContain('bot-password');
  });
});

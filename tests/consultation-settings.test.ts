// Consultation settings: validated at start, and a network that makes every consultation sensitive.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../src/config/config.ts';
import { createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp } from './support/test-app.ts';

describe('consultation settings', () => {
  it('are read from the environment and the key never printed', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      CONSULTATION_ACCEPT_WITHIN_HOURS: '4',
      CONSULTATION_BODY_RETENTION: 'P30D',
      CONSULTATION_BODY_KEY: key,
      CONSULTATIONS_ALWAYS_SENSITIVE: 'yes',
    });
    expect(config.consultations).toEqual({
      acceptWithinWorkingHours: 4,
      acceptWithinSeconds: undefined,
      alwaysSensitive: true,
      bodyRetentionMs: 30 * 86_400_000,
      bodyKey: key,
    });
    expect(JSON.stringify(redactConfig(config))).not.toContain(key);
  });

  it('refuse a short key, a retention that is not a duration and a zero window, all at once', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        CONSULTATION_BODY_KEY: 'too-short',
        CONSULTATION_BODY_RETENTION: '30 days',
        CONSULTATION_ACCEPT_WITHIN_HOURS: '0',
      });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.join('\n')).toMatch(/CONSULTATION_BODY_KEY/);
    expect(problems.join('\n')).toMatch(/CONSULTATION_BODY_RETENTION/);
    expect(problems.join('\n')).toMatch(/CONSULTATION_ACCEPT_WITHIN_HOURS/);
  });

  it('CONSULTATIONS_ALWAYS_SENSITIVE makes a consultation sensitive though the asker did not ask', async () => {
    const testApp = await startTestApp('consult_always', { env: { CONSULTATIONS_ALWAYS_SENSITIVE: 'true' } });
    try {
      const asker = await createMember(testApp, { name: 'Any Asker', country: 'KZ' });
      const token = await createToken(testApp, asker.id);
      const response = await testApp.application.app.inject({
        method: 'POST',
        url: '/v1/consultations',
        headers: { authorization: `Bearer ${token}` },
        payload: { country: 'KG', competence: 'extradition', description: 'Anything', sensitive: false },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json<{ sensitive: boolean }>().sensitive).toBe(true);
    } finally {
      await testApp.close();
    }
  });
});

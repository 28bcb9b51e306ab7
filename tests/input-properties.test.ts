// Property-based bad input (issue #10): whatever a hostile caller sends to any route of the OpenAPI
// document (NUL, unpaired surrogates, control characters, huge and negative numbers, deep nesting,
// prototype keys, wrong types, 1 MiB strings), the answer is never a 5xx and never a dropped
// connection, and the registry export afterwards is byte-identical to the one before. The same
// for chat text through the conversation engine and for registry import files.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseInbound } from '../src/chat/inbound-normalisation.ts';
import { unsafeTextReason } from '../src/text/index.ts';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { bearer, exported, fixture, registryFingerprint } from './support/registry-fixture.ts';
import {
  body,
  fillPath,
  openApiOperations,
  type Operation,
  pathId,
  poison,
  poisonedString,
  queryValue,
  wellFormedIds,
} from './support/hostile-input.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
const errorLines: string[] = [];
let exportBefore: string;

let operations: Operation[] = [];

beforeAll(async () => {
  testApp = await startTestApp('input-properties', {
    env: { LOG_LEVEL: 'error', CHAT_RATE_LIMIT_PER_MINUTE: '1000000' },
    logDestination: { write: (line) => void errorLines.push(line) },
  });
  exportBefore = JSON.stringify(await exported(testApp.application));
  operations = await openApiOperations(testApp.application.app);
}, 120_000);
afterAll(async () => {
  await testApp.close();
});

const operation = () => fc.constantFrom(...operations);

// ---- the HTTP properties ------------------------------------------------------------------

async function send(method: Operation['method'], url: string, payload?: string) {
  const response = await testApp.application.app.inject({
    method,
    url,
    headers: {
      ...bearer(testApp.adminToken),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return response;
}

describe('every route of the OpenAPI document, with hostile input', () => {
  it('has routes to try', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('bad bodies are a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        operation()
          .filter((op) => op.method !== 'GET')
          .chain((op) => fc.tuple(fc.constant(op), body(op.bodyNames))),
        async ([op, payload]) => {
          const response = await send(op.method, wellFormedIds(op.path), payload);
          expect(response.statusCode, `${op.method} ${op.path} ${payload.slice(0, 120)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('bad query strings are a 4xx or an empty answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        operation(),
        fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom('limit', 'offset', 'country', 'competence'), fc.constant('q')),
            queryValue,
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        async (op, pairs) => {
          const names = [...op.queryNames, 'limit', 'offset'];
          const query = pairs
            .map(([name, value], index) => `${names[index % names.length] ?? name}=${value}`)
            .join('&');
          const method = op.method === 'GET' ? 'GET' : op.method;
          const response = await send(
            method,
            `${wellFormedIds(op.path)}?${query}`,
            method === 'GET' ? undefined : '{}',
          );
          expect(response.statusCode, `${method} ${op.path}?${query}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('bad path ids are a 400 or a 404, never a 5xx', async () => {
    const withIds = operations.filter((op) => op.path.includes('{'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withIds), pathId, async (op, id) => {
        const response = await send(op.method, fillPath(op.path, id), op.method === 'GET' ? undefined : '{}');
        expect(response.statusCode, `${op.method} ${fillPath(op.path, id)}`).toBeLessThan(500);
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 120 },
    );
  });

  it('without credentials every /v1 route answers 401 before looking at the input', async () => {
    await fc.assert(
      fc.asyncProperty(
        operation().filter((op) => op.path.startsWith('/v1/')),
        // Paths the router cannot even decode (broken escapes, oversized segments) and dot segments
        // that name no route are 401 as well: credentials come before anything else.
        pathId,
        async (op, id) => {
          const response = await testApp.application.app.inject({
            method: op.method,
            url: `${fillPath(op.path, id)}?limit=-1&offset=%00`,
            headers: { 'content-type': 'application/json' },
            ...(op.method === 'GET' ? {} : { payload: '{"__proto__": {"x": "\\u0000"}' }),
          });
          expect(response.statusCode, `${op.method} ${op.path}`).toBe(401);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('left the registry byte-identical and logged no error', async () => {
    expect(JSON.stringify(await exported(testApp.application))).toBe(exportBefore);
    expect(errorLines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});

// ---- chat text ----------------------------------------------------------------------------

describe('chat text through the conversation engine', () => {
  it('keeps every character a person can type and drops the ones nothing may store', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), poison), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        const clean = normaliseInbound({
          platform: 'telegram',
          platformUserId: '42',
          chatId: '42',
          chatType: 'private',
          text,
        })?.text;
        expect(clean).toBeDefined();
        expect(unsafeTextReason(clean ?? '', { multiline: true })).toBeUndefined();
        expect(clean).not.toContain('\r');
        // Nothing but the unsafe characters is lost.
        const safe = text
          .replace(/\r\n?/g, '\n')
          .replace(/./gsu, (character) =>
            unsafeTextReason(character, { multiline: true }) === undefined ? character : '',
          );
        expect(clean).toBe(safe);
      }),
      { numRuns: 300 },
    );
  });

  it('answers a member and a stranger on any messenger without failing, whatever they type', async () => {
    const member = await createMember(testApp, { name: 'Property Member', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const linked = {
      platform: 'matrix' as const,
      platformUserId: '@property:test.example',
      chatId: '!property:test.example',
      chatType: 'private' as const,
    };
    const welcome = await testApp.application.engine.handle({ ...linked, text: `!link ${invite.code}` });
    expect(welcome[0]?.text).toContain('Property Member');
    const stranger = { ...linked, platform: 'telegram' as const, platformUserId: '777', chatId: '777' };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(linked, stranger),
        fc.array(fc.oneof(poisonedString, fc.constantFrom('extradition KG', '/help', '!request', 'кто')), {
          minLength: 1,
          maxLength: 3,
        }),
        async (from, parts) => {
          const replies = await testApp.application.engine.handle({ ...from, text: parts.join(' ') });
          for (const reply of replies)
            expect(unsafeTextReason(reply.text, { multiline: true })).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
    expect(errorLines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});

// ---- registry import files ----------------------------------------------------------------

describe('registry import files with hostile text', () => {
  const stringPaths: [string, (file: ReturnType<typeof fixture>, value: string) => void][] = [
    ['/contacts/0/name/en', (file, value) => void (file.contacts[0]!.name.en = value)],
    ['/contacts/1/title', (file, value) => void (file.contacts[1]!.title = value)],
    ['/authorities/0/name/en', (file, value) => void (file.authorities[0]!.name.en = value)],
    ['/treaties/0/name/en', (file, value) => void (file.treaties[0]!.name.en = value)],
    ['/competences/0/label/en', (file, value) => void (file.competences[0]!.label.en = value)],
    ['/contacts/2/channels/fax', (file, value) => void (file.contacts[2]!.channels.fax = value)],
  ];

  it('are refused through the API with the JSON path of each bad string, and change nothing', async () => {
    const before = await registryFingerprint(testApp.database.handle);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...stringPaths), poisonedString, async ([path, set], value) => {
        const file = fixture();
        set(file, value);
        const response = await send('POST', '/v1/registry/import', JSON.stringify(file));
        expect(response.statusCode, `${path} ${JSON.stringify(value)}`).toBe(400);
        expect(JSON.stringify(response.json())).toContain(path);
      }),
      { numRuns: 25 },
    );
    expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  });

  it('are refused by the CLI with a clear message, as are broken UTF-8 and control characters in arguments', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'counterpart-input-properties-'));
    try {
      const file = fixture();
      file.contacts[0]!.name.en = 'Bakyt\u0000';
      const poisoned = join(directory, 'poisoned.json');
      await writeFile(poisoned, JSON.stringify(file));
      const broken = join(directory, 'broken.json');
      await writeFile(
        broken,
        Buffer.concat([Buffer.from('{"format": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      );
      const cli = async (...args: string[]) => {
        try {
          await promisify(execFile)(
            process.execPath,
            [resolve(import.meta.dirname, '../src/cli/main.ts'), ...args],
            {
              env: { PATH: process.env.PATH ?? '', DATABASE_URL: testApp.database.url, LOG_LEVEL: 'silent' },
            },
          );
          return { code: 0, stderr: '' };
        } catch (error) {
          return error as { code: number; stderr: string };
        }
      };
      const [validate, importing, encoding, argument] = await Promise.all([
        cli('registry', 'validate', poisoned),
        cli('registry', 'import', poisoned),
        cli('registry', 'validate', broken),
        cli('member', 'create', '--name', 'Eve\u001b[2J', '--country', 'KG'),
      ]);
      expect(validate.code).toBe(1);
      expect(validate.stderr).toContain('/contacts/0/name/en: must not contain control characters');
      expect(importing.code).toBe(1);
      expect(importing.stderr).toContain('/contacts/0/name/en');
      expect(encoding.code).toBe(1);
      expect(encoding.stderr).toContain('not UTF-8');
      expect(argument.code).toBe(1);
      expect(argument.stderr).toContain('must not contain control characters');
      expect(JSON.stringify(await exported(testApp.application))).toBe(exportBefore);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 180_000);
});

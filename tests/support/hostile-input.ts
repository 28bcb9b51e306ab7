// Hostile input for property tests (issue #10): generators of bad bodies, query values and path
// ids, and the operations of the OpenAPI document to aim them at. Used through app.inject
// (tests/input-properties.test.ts) and over a real socket (tests/input-properties-socket.test.ts).
import fc from 'fast-check';

export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  queryNames: string[];
  bodyNames: string[];
}

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

/** Every operation of the OpenAPI document but the event stream (open by design, nothing to spoil). */
export async function openApiOperations(app: {
  inject(options: { url: string }): Promise<{ body: string }>;
}): Promise<Operation[]> {
  const document = JSON.parse((await app.inject({ url: '/docs/json' })).body) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'patch', 'delete'].includes(method) && path !== '/console/events')
      .map(([method, operation]) => ({
        method: method.toUpperCase() as Operation['method'],
        path,
        queryNames: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyNames: Object.keys(
          operation.requestBody?.content?.['application/json']?.schema?.properties ?? {},
        ),
      })),
  );
}

/** Characters no single-line field may hold. */
export const poison = fc.constantFrom('\u0000', '\ud800', '\udfff', '\u001b[31m', '\u0007', '\r\n', '\t');
/** Odd but legitimate characters (C1 NEL, BOM, right-to-left override): allowed, never a 5xx. */
export const oddCharacter = fc.constantFrom('\u0085', '\ufeff', '\u202e');
/** A string with poison somewhere in it. */
export const poisonedString = fc
  .tuple(fc.string({ maxLength: 20 }), poison, fc.string({ unit: 'grapheme', maxLength: 20 }))
  .map(([before, bad, after]) => `${before}${bad}${after}`);
export const hugeString = fc.constantFrom('x'.repeat(1024 * 1024), `${'я'.repeat(300_000)}\u0000`);
export const hostileNumber = fc.constantFrom(
  1e308,
  -1e308,
  -1,
  0.5,
  Number.MAX_SAFE_INTEGER + 2,
  -2147483649,
  2 ** 63,
);
export const nested = (depth: number): unknown => {
  let value: unknown = 'deep';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
};
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: poisonedString },
  { weight: 1, arbitrary: fc.tuple(fc.string(), oddCharacter).map(([text, odd]) => `${odd}${text}`) },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(nested(200), null, true, [], {}, [[['\u0000']]]) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3, withObjectString: true, withNullPrototype: true }) },
);

/** Raw JSON texts a parser must survive: prototype keys, deep nesting, duplicate keys. */
export const rawBodies = fc.constantFrom(
  '{"__proto__": {"role": "admin", "isAdmin": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"name": "a", "name": "b\\u0000"}',
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  '"\\ud800"',
  '1e309',
  '[]',
  'null',
);

export const body = (names: string[]) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .dictionary(
          fc.oneof(
            fc.constantFrom(...names, '__proto__', 'constructor', 'verifiedAt', 'limit'),
            poisonedString,
          ),
          hostileValue,
          { minKeys: 1, maxKeys: 4 },
        )
        .map((value) => JSON.stringify(value)),
    },
    { weight: 1, arbitrary: rawBodies },
    { weight: 1, arbitrary: hugeString.map((text) => JSON.stringify({ [names[0] ?? 'text']: text })) },
  );

/** Percent-encoded query values, some of them not UTF-8 at all. */
export const queryValue = fc.oneof(
  fc.constantFrom(
    '%00',
    '%FF',
    '%ED%A0%80',
    '%C0%80',
    '%',
    '%G1',
    '1e309',
    '9223372036854775808',
    '-1',
    '0.5',
  ),
  fc.constantFrom('NaN', 'Infinity', '-0', '1'.repeat(400), '%0A', '%1B'),
  poisonedString.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))),
);
export const pathId = fc.constantFrom(
  '%00',
  '%FF',
  '%ED%A0%80',
  'x'.repeat(300),
  '..',
  '%2E%2E%2Fetc',
  '-1',
  '1e309',
  "kg-001'%20OR%201=1",
  '%0A',
  'C-99999999999999999999',
);

export const fillPath = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);
/** Ids of the right form that match nothing, so no route can change a real record. */
export const wellFormedIds = (path: string) => {
  if (/^\/v1\/(members|tokens)\//.test(path)) return fillPath(path, '00000000-0000-4000-8000-000000000000');
  if (path.startsWith('/v1/requests/')) return fillPath(path, 'abcdefghijk2');
  if (path.startsWith('/v1/consultations/')) return fillPath(path, 'C-999999');
  return fillPath(path, 'zz-404');
};

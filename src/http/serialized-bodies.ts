// Response bodies serialized once and sent as bytes while what they were made from stays the same.
//
// A read route whose answer is a pure function of an immutable object (the registry view, a
// remembered answer) and of the request's parameters pays, per request, for the response schema's
// serializer and for encoding the text as UTF-8 (the registry's names are mostly Cyrillic, two
// bytes a character): on the contacts and ask routes that was a fifth of their CPU. The bytes are
// exactly what the route's serializer produced, so the answer is byte for byte the same.

import type { FastifyReply } from 'fastify';

/** The content type Fastify gives a serialized JSON body; sent with the remembered bytes. */
export const jsonContentType = 'application/json; charset=utf-8';

export interface SerializedBodies<Source extends object> {
  /**
   * The body for `key` made from `source`, serializing it with `serialize` the first time.
   * `shown` are further values the body shows that are remembered beside `source` rather than
   * inside it (a reply's text kept with the results it was composed from): compared with `===`
   * to the ones the body was made with, and a difference makes a new body. So a body is never
   * sent for values other than its own, even if what keeps them together changed.
   */
  body(source: Source, key: string, serialize: () => string, shown?: readonly unknown[]): Buffer;
}

interface Remembered {
  body: Buffer;
  shown: readonly unknown[];
}

const nothingShown: readonly unknown[] = Object.freeze([]);

const sameValues = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/**
 * Remembers up to `maxEntries` bodies per source object. Sources are held weakly: a replaced
 * registry view or an answer that left its cache takes its bodies with it.
 */
export function createSerializedBodies<Source extends object>({
  maxEntries = 1_000,
}: { maxEntries?: number } = {}): SerializedBodies<Source> {
  const bySource = new WeakMap<Source, Map<string, Remembered>>();
  return {
    body(source, key, serialize, shown = nothingShown) {
      let bodies = bySource.get(source);
      if (bodies === undefined) {
        bodies = new Map();
        bySource.set(source, bodies);
      }
      const known = bodies.get(key);
      if (known !== undefined && sameValues(known.shown, shown)) return known.body;
      const body = Buffer.from(serialize(), 'utf8');
      // Bounded: a flood of distinct query strings cannot grow it (the oldest goes first).
      if (known === undefined && bodies.size >= maxEntries) {
        const oldest = bodies.keys().next();
        if (oldest.done !== true) bodies.delete(oldest.value);
      }
      bodies.set(key, { body, shown });
      return body;
    },
  };
}

/** The route's own 200 serializer (its response schema): the bytes Fastify itself would send. */
export function serializeAs200(reply: object, payload: object): string {
  const serialize = (reply as FastifyReply).getSerializationFunction('200');
  if (serialize === undefined) throw new Error('the route has no 200 response schema');
  return serialize(payload as Record<string, unknown>);
}

/** Sends remembered JSON bytes with the content type Fastify gives JSON (a route's typed reply). */
export function sendJsonBytes(reply: object, body: Buffer): void {
  void (reply as FastifyReply).type(jsonContentType).send(body);
}

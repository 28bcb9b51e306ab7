// An audit entry as it will be stored, made before it is queued or hashed: the stored bytes are
// the hashed bytes, so an entry can never be refused by Postgres for its content, nor read back
// different from what was hashed, nor hold a queue slot of unbounded size.
import type { AuditEntry } from './audit-service.ts';
import { ownProperty } from './canonical-json.ts';

/** Longest text kept in any one string (longer ones end with an ellipsis). */
const maxStringLength = 500;
/** Objects and arrays nested deeper than this are replaced by a marker. */
const maxDepth = 6;
/** Values (strings, numbers, keys...) kept in one entry's details; the rest become a marker. */
const maxNodes = 200;
const cut = '…';

/**
 * Text Postgres accepts in `text` and `jsonb` alike and reads back unchanged: lone UTF-16
 * surrogates (which UTF-8 cannot encode) and NUL (which neither type stores) become U+FFFD.
 */
export function storableText(value: string, maxLength = maxStringLength): string {
  const text = value.length > maxLength ? `${value.slice(0, maxLength)}${cut}` : value;
  // Nearly every text is already storable: kept as it is, without copying it twice.
  if (text.isWellFormed() && !text.includes('\u0000')) return text;
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** Printable ASCII only: for the facts of an entry that could not be written, so they surely can be. */
export function plainText(value: string | null | undefined, maxLength = 200): string | null {
  if (value === null || value === undefined) return null;
  const text = value.replace(/[^\x20-\x7e]/g, '?');
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}

export interface StorableEntry {
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

export function storableEntry(entry: AuditEntry): StorableEntry {
  const budget = { nodes: maxNodes };
  const details = storableValue(entry.details ?? {}, 0, budget);
  return {
    actor: storableText(entry.actor, 200),
    action: storableText(entry.action, 100),
    subject: entry.subject === undefined ? null : storableText(entry.subject, 500),
    details:
      details !== null && typeof details === 'object' && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : { value: details ?? null },
  };
}

/**
 * The JSON value `JSON.stringify` would produce (toJSON honoured, undefined and functions dropped,
 * non-finite numbers null), with every string storable and the size bounded. A `__proto__` key
 * stays an ordinary own key (see ownProperty).
 */
function storableValue(value: unknown, depth: number, budget: { nodes: number }): unknown {
  budget.nodes -= 1;
  if (budget.nodes < 0) return cut;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    try {
      value = (value as { toJSON: () => unknown }).toJSON();
    } catch {
      return '[unserialisable]';
    }
  }
  switch (typeof value) {
    case 'string':
      return storableText(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (depth >= maxDepth) return '[nested too deep]';
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const item of value) {
          if (budget.nodes <= 0) {
            items.push(cut);
            break;
          }
          const stored = storableValue(item, depth + 1, budget);
          items.push(stored === undefined ? null : stored);
        }
        return items;
      }
      const result: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        if (budget.nodes <= 0) {
          result[cut] = cut;
          break;
        }
        const stored = storableValue(inner, depth + 1, budget);
        if (stored !== undefined) ownProperty(result, storableText(key, 100), stored);
      }
      return result;
    }
    default:
      // undefined, functions and symbols: JSON leaves them out.
      return undefined;
  }
}

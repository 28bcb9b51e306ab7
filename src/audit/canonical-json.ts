/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The value with object keys sorted at every level (what canonicalJson serializes). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== undefined) ownProperty(sorted, key, sortKeys(inner));
    }
    return sorted;
  }
  return value;
}

/**
 * Sets `key` as an own enumerable property of a plain object. Plain objects, not prototype-less
 * ones, because JSON.stringify's fast path takes only those (the audit hashes every read); a
 * `__proto__` key (JSON.parse makes it an own property) is defined, not assigned, so it stays an
 * ordinary key and is hashed like any other.
 */
export function ownProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

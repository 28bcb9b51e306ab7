// Typed access to a method's parameters. Telegram coerces form strings ("123", "true", JSON text)
// into the documented types, so every reader accepts both the JSON value and its string form.
import { badRequest } from './bot-api-error.ts';
import type { RawParameters } from './request-body.ts';

const jsonParseFailures: Record<string, string> = {
  reply_markup: "can't parse reply keyboard markup JSON object",
  entities: "can't parse entities JSON object",
};

export class MethodParameters {
  readonly raw: RawParameters;

  constructor(raw: RawParameters) {
    this.raw = raw;
  }

  /** Whether the parameter was given (Telegram treats null and "" like an absent parameter). */
  has(name: string): boolean {
    const value = this.raw[name];
    return value !== undefined && value !== null && value !== '';
  }

  string(name: string): string | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw[name];
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw badRequest(`field "${name}" must be of type String`);
  }

  requiredString(name: string, emptyReason = `${name} is empty`): string {
    const value = this.string(name);
    if (value === undefined) throw badRequest(emptyReason);
    return value;
  }

  integer(name: string): number | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw[name];
    const parsed =
      typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(parsed)) throw badRequest(`invalid ${name} specified`);
    return parsed;
  }

  requiredInteger(name: string, emptyReason = `${name} is empty`): number {
    const value = this.integer(name);
    if (value === undefined) throw badRequest(emptyReason);
    return value;
  }

  boolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw[name];
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1' || value === 1) return true;
    if (value === 'false' || value === '0' || value === 0) return false;
    throw badRequest(`field "${name}" must be of type Boolean`);
  }

  /** An object or array parameter, given as JSON or as a JSON-encoded string. */
  json(name: string): unknown {
    if (!this.has(name)) return undefined;
    const value = this.raw[name];
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(jsonParseFailures[name] ?? `can't parse ${name} JSON object`);
    }
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest(`field "${name}" must be of type Object`);
    }
    return value as Record<string, unknown>;
  }

  array(name: string): unknown[] | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw badRequest(`field "${name}" must be of type Array`);
    return value as unknown[];
  }

  /** A chat identifier: an integer id or a public "@username". */
  chatId(name = 'chat_id'): number | string | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw[name];
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
      return trimmed;
    }
    throw badRequest('chat not found');
  }

  requiredChatId(name = 'chat_id'): number | string {
    const value = this.chatId(name);
    if (value === undefined) throw badRequest(`${name} is empty`);
    return value;
  }
}

/** Reads a field of a JSON object parameter with the same coercions. */
export function nestedParameters(value: unknown, what: string): MethodParameters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${what} must be an Object`);
  }
  return new MethodParameters(value as RawParameters);
}

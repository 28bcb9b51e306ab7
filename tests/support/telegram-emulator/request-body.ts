// Reads a Bot API request's parameters the ways Telegram accepts them: query string, JSON,
// urlencoded and multipart/form-data bodies (grammY switches to multipart as soon as a file is attached).
import type { IncomingMessage } from 'node:http';
import { BotApiError } from './bot-api-error.ts';

/** Raw parameters: JSON values, or strings from forms and query strings (objects then arrive JSON-encoded). */
export type RawParameters = Record<string, unknown>;

/** An uploaded file as the emulator keeps it: its name and size, not its bytes. */
export interface UploadedFile {
  fileName: string;
  size: number;
  mimeType: string;
}

// Telegram accepts uploads up to 50 MB through the Bot API.
const maximumBodyBytes = 50 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maximumBodyBytes) throw new BotApiError(413, 'Request Entity Too Large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readRequestParameters(request: IncomingMessage, url: URL): Promise<RawParameters> {
  const parameters: RawParameters = Object.fromEntries(url.searchParams);
  const body = await readBody(request);
  if (body.length === 0) return parameters;
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BotApiError(400, "Bad Request: can't parse JSON object");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BotApiError(400, 'Bad Request: JSON object expected');
    }
    return { ...parameters, ...(parsed as RawParameters) };
  }
  if (
    contentType.startsWith('multipart/form-data') ||
    contentType.startsWith('application/x-www-form-urlencoded')
  ) {
    // The WHATWG Request parser handles both encodings, boundaries and file parts. It buffers the
    // whole body, which is why undici discourages it for production servers; fine for an emulator.
    const formRequest = new Request('http://emulator.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    let form: FormData;
    try {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
      form = await formRequest.formData();
    } catch {
      throw new BotApiError(400, "Bad Request: can't parse request body");
    }
    for (const [key, value] of form) {
      parameters[key] =
        typeof value === 'string'
          ? value
          : ({ fileName: value.name, size: value.size, mimeType: value.type } satisfies UploadedFile);
    }
    return parameters;
  }
  return parameters;
}

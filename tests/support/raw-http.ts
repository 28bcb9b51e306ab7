// One HTTP/1.1 exchange over a plain TCP socket, byte for byte: what a hostile client can send
// (bytes that are not UTF-8 in a path, a query or a body) and what undici or node:http would
// refuse to send. A reset or a connection closed without an answer is an error, never a status.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** The status line and headers, as text. */
  head: string;
  body: Buffer;
}

/** Sends `request` (which should say `Connection: close`) and reads the answer to the end. */
export function rawExchange(port: number, request: Buffer, timeoutMs = 60_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    // Written, not ended: Node's server treats a half-closed socket as a client that went away.
    socket.on('connect', () => {
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`connection failed: ${error.code ?? error.message}`));
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const whole = Buffer.concat(chunks);
      const split = whole.indexOf('\r\n\r\n');
      const head = (split < 0 ? whole : whole.subarray(0, split)).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      if (status === undefined) {
        reject(new Error(`connection closed without an answer (${String(whole.length)} bytes)`));
        return;
      }
      resolve({
        status: Number(status),
        head,
        body: split < 0 ? Buffer.alloc(0) : whole.subarray(split + 4),
      });
    });
  });
}

/** An HTTP/1.1 request as bytes; `target` and `body` may hold any bytes. */
export function rawRequest(options: {
  method: string;
  target: Buffer | string;
  headers?: Record<string, Buffer | string>;
  body?: Buffer | string;
}): Buffer {
  const lines: Buffer[] = [
    Buffer.concat([
      Buffer.from(`${options.method} `),
      Buffer.from(options.target),
      Buffer.from(' HTTP/1.1\r\n'),
    ]),
    Buffer.from('Host: 127.0.0.1\r\nConnection: close\r\n'),
  ];
  for (const [name, value] of Object.entries(options.headers ?? {}))
    lines.push(Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n')]));
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  if (body !== undefined) lines.push(Buffer.from(`Content-Length: ${String(body.length)}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (body !== undefined) lines.push(body);
  return Buffer.concat(lines);
}

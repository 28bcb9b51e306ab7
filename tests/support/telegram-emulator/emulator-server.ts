// The HTTP face of the emulator: `{apiRoot}/bot<token>/<method>` (and `/bot<token>/test/<method>`
// for grammY's test environment), GET or POST, answering JSON exactly as api.telegram.org does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotApiError } from './bot-api-error.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { readRequestParameters } from './request-body.ts';

// An optional `/client-<label>` prefix names the caller (each process of a test may get its own
// apiRoot), so a test can tell which process made a call.
const methodPath = /^(?:\/client-([A-Za-z0-9_-]+))?\/bot([^/]+)\/(?:test\/)?([A-Za-z0-9_]+)\/?$/;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.writableEnded || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function handle(core: EmulatorCore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const match = methodPath.exec(url.pathname);
  if (match === null) {
    sendJson(response, 404, new BotApiError(404, 'Not Found').toJSON());
    return;
  }
  if (decodeURIComponent(match[2]!) !== core.token) {
    request.resume();
    sendJson(response, 401, new BotApiError(401, 'Unauthorized').toJSON());
    return;
  }
  const parameters = await readRequestParameters(request, url);
  const clientGone = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) clientGone.abort();
  });
  const outcome = await core.execute(match[3]!, parameters, clientGone.signal, false, match[1]);
  if (outcome.kind === 'drop') {
    request.socket.destroy();
    return;
  }
  sendJson(response, outcome.status, outcome.body);
}

export interface RunningServer {
  server: Server;
  apiRoot: string;
}

export async function listen(core: EmulatorCore, host: string, port: number): Promise<RunningServer> {
  const server = createServer((request, response) => {
    handle(core, request, response).catch((error: unknown) => {
      if (error instanceof BotApiError) sendJson(response, error.errorCode, error.toJSON());
      else sendJson(response, 500, new BotApiError(500, `Internal Server Error: ${String(error)}`).toJSON());
    });
  });
  // Long polls last up to the bot's timeout; the server must not cut them short.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, apiRoot: `http://${hostForUrl}:${address.port}` };
}

export async function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  server.closeAllConnections();
  await closed;
}

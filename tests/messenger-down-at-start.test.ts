// Blocked networks are real for this network's members: a Bot API that never answers (or a port
// that is closed) must not keep the registry API, the web console or Matrix from serving.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

let blackhole: Server;
let blackholePort: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Accepts connections and never answers: what a filtered network looks like from inside.
  blackhole = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  blackholePort = (blackhole.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackhole.close(resolve));
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function servesWhileTelegramIsUnreachable(label: string, apiRoot: string): Promise<void> {
  const testApp: TestApp = await startTestApp(label, {
    env: { TELEGRAM_BOT_TOKEN: '123456:unreachable-test-token', TELEGRAM_API_ROOT: apiRoot },
  });
  try {
    const { app } = testApp.application;
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', telegram: 'connecting' },
    });
    const contacts = await app.inject({
      method: 'GET',
      url: '/v1/contacts?country=KG&competence=extradition',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
    });
    expect(contacts.statusCode).toBe(200);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
  } finally {
    await testApp.close();
  }
}

describe('a messenger that is down at start', () => {
  it('a Bot API that never answers: the API listens and serves, /readyz says telegram is still connecting', async () => {
    await servesWhileTelegramIsUnreachable('tg_blackhole', `http://127.0.0.1:${blackholePort}`);
  });

  it('a Bot API on a closed port: the same', async () => {
    await servesWhileTelegramIsUnreachable('tg_closed', `http://127.0.0.1:${await closedPort()}`);
  });
});

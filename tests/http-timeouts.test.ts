// A client that sends half a body and then nothing (a slow or broken one, or an attack) must not
// hold its connection, and the request's memory, forever.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
let port: number;

beforeAll(async () => {
  testApp = await startTestApp('http_timeouts', {
    loadDemo: false,
    env: { HTTP_REQUEST_TIMEOUT_MS: '1000' },
  });
  const address = await testApp.application.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(address).port);
});
afterAll(async () => {
  await testApp.close();
});

describe('request timeouts', () => {
  it('a request whose body stops halfway is answered 408 and its connection closed', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => {
      socket.on('close', () => {
        resolve();
      });
    });
    socket.write(
      `POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${testApp.adminToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text": "who handles`,
    );
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});

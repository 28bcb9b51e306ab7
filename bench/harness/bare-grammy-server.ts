// The Telegram webhook benchmark's baseline: grammY alone behind the same route shape as ours
// (secret checked in constant time, update handled, a reply sent, 200), as its own process on the
// server's core. Options as JSON in argv[2]; prints "listening <port>" once it listens.
import Fastify from 'fastify';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { constantTimeEqual } from '../../src/members/secrets.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as { token: string; apiRoot: string; secret: string };
const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
bot.on('message', async (ctx) => {
  await ctx.reply('ok');
});
await bot.init();
const server = Fastify({ logger: false });
server.post('/telegram/webhook', async (request, reply) => {
  const presented = request.headers['x-telegram-bot-api-secret-token'];
  if (typeof presented !== 'string' || !constantTimeEqual(presented, options.secret))
    return reply.code(401).send({ ok: false });
  await bot.handleUpdate(request.body as Update);
  return { ok: true };
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
process.stdout.write(
  `listening ${String(typeof address === 'object' && address !== null ? address.port : 0)}\n`,
);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});

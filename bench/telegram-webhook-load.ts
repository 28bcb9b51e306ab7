// Load generator for the Telegram webhook benchmark, run as its own process so it does not share
// the server's event loop. Posts distinct updates (fresh update_id, users in turn) with the secret
// token, as Telegram would, and prints autocannon's summary as JSON.
import autocannon from 'autocannon';

interface LoadOptions {
  url: string;
  secret: string;
  userIds: number[];
  texts: string[];
  firstUpdateId: number;
  connections: number;
  durationSeconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
let sequence = 0;

function nextUpdate(): string {
  sequence += 1;
  const userId = options.userIds[sequence % options.userIds.length] ?? 1;
  const text = options.texts[sequence % options.texts.length] ?? '/help';
  const user = { id: userId, is_bot: false, first_name: 'Bench', language_code: 'en' };
  return JSON.stringify({
    update_id: options.firstUpdateId + sequence,
    message: {
      message_id: sequence,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: 'Bench' },
      from: user,
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 1 }] }
        : {}),
    },
  });
}

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': options.secret },
      setupRequest: (request) => ({ ...request, body: nextUpdate() }),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  }),
);

// One sending process for the send-rate stories (tests/send-rate-ceiling.test.ts): several sends
// in flight at once, each through the outbox's shared rate limiter the way a delivery goes (a slot,
// a wait until it, then the check right before the call), straight to the Bot API emulator. Its
// event loop stalls now and then, as a worker's does under load: a blocking pause between a send's
// slot and its call, which also holds every other send of this process whose reply is on its way.
//
//   node tests/support/paced-sender-process.ts   with PACED_SENDER='{"redisUrl": ..., ...}'
//
// Prints one JSON line when done: { "sent": n, "refused": n }.
import { Redis } from 'ioredis';
import { telegramMessenger } from '../../bots/telegram/telegram-messenger.ts';
import { createSendRateLimiter } from '../../src/outbox/send-rate-limiter.ts';

export interface PacedSenderOptions {
  redisUrl: string;
  prefix: string;
  /** The emulator's `${apiRoot}/bot${token}`. */
  botUrl: string;
  /** One send per entry, in this order (a chat may come more than once). */
  chatIds: string[];
  /** Sends in flight at once (a worker's concurrency). */
  concurrency: number;
  /** Seed of the stalls, so a run can be repeated. */
  seed: number;
  /** Share of sends after whose slot the event loop stalls, and the longest stall (ms). */
  stallShare: number;
  maxStallMs: number;
}

const options = JSON.parse(process.env.PACED_SENDER ?? '') as PacedSenderOptions;
const client = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
const limiter = createSendRateLimiter({
  client,
  prefix: options.prefix,
  limitsOf: (platform) => (platform === 'telegram' ? telegramMessenger.capabilities.sendRate : undefined),
});

// mulberry32: small, seeded, good enough to spread stalls.
let state = options.seed >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Blocks the event loop, as a long synchronous piece of work does. */
const stall = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
};

const queue = [...options.chatIds];
let sent = 0;
let refused = 0;

async function sendOne(chatId: string): Promise<void> {
  for (;;) {
    const reservation = await limiter.reserve('telegram', chatId, 2000);
    await sleep(reservation.waitMs);
    if (reservation.granted) break;
  }
  if (random() < options.stallShare) stall(options.maxStallMs * (0.3 + 0.7 * random()));
  let admission = await limiter.admit('telegram', chatId);
  while (!admission.admitted) {
    await sleep(admission.waitMs);
    admission = await limiter.admit('telegram', chatId);
  }
  const response = await fetch(`${options.botUrl}/sendMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chat_id: Number(chatId), text: 'Please confirm your record' }),
  });
  await response.arrayBuffer();
  await admission.finished();
  if (response.status === 429) refused += 1;
  else if (response.ok) sent += 1;
  else throw new Error(`sendMessage answered ${response.status}`);
}

await Promise.all(
  Array.from({ length: options.concurrency }, async () => {
    for (let chatId = queue.shift(); chatId !== undefined; chatId = queue.shift()) await sendOne(chatId);
  }),
);
await client.quit();
process.stdout.write(`${JSON.stringify({ sent, refused })}\n`);

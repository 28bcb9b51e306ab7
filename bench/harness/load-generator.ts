// The load generator, run as its own process (on its own core) so it never shares the server's
// event loop or CPU. Reads its options as JSON from argv[2], drives autocannon, prints a summary as
// JSON. Bodies are built per request, so rotating questions and fresh Telegram update ids cost the
// generator, not the server.
import autocannon from 'autocannon';

export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'fixed'; text: string }
  /** POST /v1/ask bodies: questions in turn, each text made unique with a case number. */
  | {
      kind: 'ask';
      questions: readonly { text: string; askerCountry?: string; locale?: 'en' | 'ru' }[];
      firstCase: number;
    }
  /** Telegram webhook updates: users and texts in turn, fresh update ids; texts made unique when `uniqueTexts`. */
  | {
      kind: 'telegram';
      userIds: readonly number[];
      texts: readonly string[];
      firstUpdateId: number;
      uniqueTexts: boolean;
    };

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: BodyPlan;
  connections: number;
  /** Run for this long, unless `amount` is set. */
  durationSeconds: number;
  /** Stop after this many requests. */
  amount?: number;
}

export interface LoadSummary {
  requests: number;
  seconds: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Status code -> count, to say what failed. */
  statusCodes: Record<string, number>;
  /** CPU the generator used while generating (seconds): near `seconds`, it was the bottleneck. */
  generatorCpuSeconds: number;
}

function bodyBuilder(plan: BodyPlan): (() => string) | undefined {
  let sequence = 0;
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return () => plan.text;
    case 'ask':
      return () => {
        const question = plan.questions[sequence % plan.questions.length];
        const text = `${question?.text ?? ''} (#${String(plan.firstCase + sequence)})`;
        sequence += 1;
        return JSON.stringify({
          text,
          ...(question?.askerCountry === undefined ? {} : { askerCountry: question.askerCountry }),
          ...(question?.locale === undefined ? {} : { locale: question.locale }),
        });
      };
    case 'telegram':
      return () => {
        sequence += 1;
        const userId = plan.userIds[sequence % plan.userIds.length] ?? 1;
        const base = plan.texts[sequence % plan.texts.length] ?? '/help';
        const text = plan.uniqueTexts ? `${base} (#${String(plan.firstUpdateId + sequence)})` : base;
        const user = { id: userId, is_bot: false, first_name: 'Bench', language_code: 'en' };
        return JSON.stringify({
          update_id: plan.firstUpdateId + sequence,
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
      };
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  const build = bodyBuilder(options.body);
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.amount === undefined ? {} : { amount: options.amount }),
    requests: [
      {
        method: options.method,
        headers: options.headers,
        ...(build === undefined ? {} : { setupRequest: (request) => ({ ...request, body: build() }) }),
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = stats.count ?? 0;
  const requests = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const summary: LoadSummary = {
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    statusCodes,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(JSON.stringify(summary));
}

await main();

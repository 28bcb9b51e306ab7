// Server-sent events for the web console: one long response per open console tab, carrying pushes
// for the member (all their consoles) or this session. Plain SSE needs no client library, passes
// proxies as ordinary HTTP, and EventSource reconnects and resumes (Last-Event-ID) by itself.
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { WebPush, WebPushHub } from './web-push-hub.ts';

/** Open streams of this process, so logout and shutdown can end them. */
export interface EventStreams {
  /** Registers a stream's closer; returns the deregistration. */
  add(sessionId: string, close: () => void): () => void;
  closeSession(sessionId: string): void;
  closeAll(): void;
  /** Streams open for one session. */
  countOf(sessionId: string): number;
  readonly size: number;
}

/** Streams one console session may hold open at once (one per tab; a browser rarely keeps more). */
export const maxStreamsPerSession = 8;

export function createEventStreams(): EventStreams {
  // One entry per open stream: each removes itself when its socket closes, and a session may
  // open at most `maxStreamsPerSession` (the route refuses more), so this follows open sockets.
  const open = new Map<string, Set<() => void>>();
  return {
    add(sessionId, close) {
      const set = open.get(sessionId) ?? new Set();
      set.add(close);
      open.set(sessionId, set);
      return () => {
        set.delete(close);
        if (set.size === 0) open.delete(sessionId);
      };
    },
    closeSession(sessionId) {
      for (const close of [...(open.get(sessionId) ?? [])]) close();
    },
    countOf: (sessionId) => open.get(sessionId)?.size ?? 0,
    closeAll() {
      for (const set of [...open.values()]) for (const close of [...set]) close();
    },
    get size() {
      let count = 0;
      for (const set of open.values()) count += set.size;
      return count;
    },
  };
}

export interface EventStreamOptions {
  pushes: WebPushHub;
  streams: EventStreams;
  sessions: { isActive(id: string): Promise<boolean> };
  memberId: string;
  sessionId: string;
  /** Replay stored pushes newer than this id first. */
  after: string | undefined;
  log: FastifyBaseLogger;
  /**
   * Comment lines keep proxies from timing the stream out, and each one re-checks the session,
   * so a logout elsewhere or a disabled member ends the stream. Default 20 s.
   */
  heartbeatMs?: number;
}

export async function openEventStream(reply: FastifyReply, options: EventStreamOptions): Promise<void> {
  const { pushes, memberId, sessionId } = options;
  const chatIds = [memberId, sessionId];
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    // Keep the security headers set so far (helmet) on the hijacked response.
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx and similar would otherwise buffer the stream and deliver pushes late.
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const send = (chunk: string): void => {
    if (!closed) raw.write(chunk);
  };

  // Pushes that arrive while the backlog is replayed wait, then go out once, in order.
  let replaying = true;
  let queued: WebPush[] = [];
  const written = new Set<string>();
  const writePush = (push: WebPush): void => {
    if (replaying) {
      if (written.has(`${push.chatId}/${push.id}`)) return;
      written.add(`${push.chatId}/${push.id}`);
    }
    send(`id: ${push.id}\nevent: push\ndata: ${JSON.stringify(push.message)}\n\n`);
  };
  const unsubscribe = pushes.listen(chatIds, (push) => {
    if (replaying) queued.push(push);
    else writePush(push);
  });

  const timers: { heartbeat?: NodeJS.Timeout } = {};
  let deregister = (): void => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    deregister();
    clearInterval(timers.heartbeat);
    raw.end();
  };
  deregister = options.streams.add(sessionId, () => {
    send('event: session-ended\ndata: {}\n\n');
    close();
  });
  raw.on('close', close);

  try {
    send('retry: 3000\n\n');
    if (options.after !== undefined)
      for (const push of await pushes.backlog(chatIds, options.after)) writePush(push);
    for (const push of queued) writePush(push);
    queued = [];
    replaying = false;
    written.clear();
    send(`event: ready\ndata: ${JSON.stringify({ latest: await pushes.latestId(chatIds) })}\n\n`);
  } catch (error) {
    options.log.warn({ err: error }, 'web console event stream failed to start');
    close();
    return;
  }

  // The reader may have gone while the backlog was read.
  if (raw.writableEnded) return;
  timers.heartbeat = setInterval(() => {
    send(': keep-alive\n\n');
    options.sessions.isActive(sessionId).then(
      (active) => {
        if (active) return;
        send('event: session-ended\ndata: {}\n\n');
        close();
      },
      (error: unknown) => {
        options.log.debug({ err: error }, 'session check failed; keeping the stream');
      },
    );
  }, options.heartbeatMs ?? 20_000);
  timers.heartbeat.unref();
}

// Reads a server-sent event stream over real HTTP, as a browser's EventSource would.
import { hangDeadlineMs } from './hang-deadline.ts';

export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export interface SseConnection {
  status: number;
  /** Resolves with the next event of type `event` (others are kept in `received`). */
  next(event: string, timeoutMs?: number): Promise<ServerSentEvent>;
  received: ServerSentEvent[];
  /** Everything the stream carried, in order: event names, and "comment" for comment-only blocks (keep-alives). */
  timeline: string[];
  /** Resolves when the stream ends, whoever ended it (the server closing it, or close()). */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const received: ServerSentEvent[] = [];
  const timeline: string[] = [];
  let consumed = 0;
  const waiters = new Set<() => void>();
  let buffer = '';
  let ended = false;
  let markEnded: () => void = () => undefined;
  const endedPromise = new Promise<void>((resolve) => {
    markEnded = resolve;
  });

  const parse = (block: string): ServerSentEvent | undefined => {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    return data.length === 0 ? undefined : { event, id, data: data.join('\n') };
  };

  if (response.body !== null) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let split = buffer.indexOf('\n\n');
          while (split !== -1) {
            const block = buffer.slice(0, split);
            const parsed = parse(block);
            buffer = buffer.slice(split + 2);
            if (parsed !== undefined) {
              received.push(parsed);
              timeline.push(parsed.event);
            } else if (block.startsWith(':')) {
              timeline.push('comment');
            }
            split = buffer.indexOf('\n\n');
          }
          for (const wake of [...waiters]) wake();
        }
      } catch {
        // Aborted by close().
      } finally {
        ended = true;
        markEnded();
        for (const wake of [...waiters]) wake();
      }
    })();
  }

  return {
    status: response.status,
    received,
    timeline,
    ended: response.body === null ? Promise.resolve() : endedPromise,
    next(event, timeoutMs = hangDeadlineMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (let index = consumed; index < received.length; index++) {
            const candidate = received[index]!;
            if (candidate.event === event) {
              consumed = index + 1;
              resolve(candidate);
              return true;
            }
          }
          if (ended) {
            reject(new Error(`stream ended before a "${event}" event`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = (): void => {
          if (check()) {
            clearTimeout(timer);
            waiters.delete(wake);
          }
        };
        waiters.add(wake);
      });
    },
    close() {
      controller.abort();
    },
  };
}

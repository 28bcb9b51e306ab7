// Reads a server-sent event stream over real HTTP, as a browser's EventSource would.

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
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const received: ServerSentEvent[] = [];
  let consumed = 0;
  const waiters = new Set<() => void>();
  let buffer = '';
  let ended = false;

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
            const parsed = parse(buffer.slice(0, split));
            buffer = buffer.slice(split + 2);
            if (parsed !== undefined) received.push(parsed);
            split = buffer.indexOf('\n\n');
          }
          for (const wake of [...waiters]) wake();
        }
      } catch {
        // Aborted by close().
      } finally {
        ended = true;
        for (const wake of [...waiters]) wake();
      }
    })();
  }

  return {
    status: response.status,
    received,
    next(event, timeoutMs = 5000) {
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

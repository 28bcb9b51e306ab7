import type { MatrixClient } from 'matrix-js-sdk';

/**
 * matrix-js-sdk's room encryptor starts a round of outgoing crypto requests (key queries) without
 * awaiting it; stopping the client while that round is queued rejects a promise nobody holds, an
 * unhandled rejection ("OutgoingRequestsManager was stopped") that would end the process. So before
 * stopping, wait for the queue to go idle, within `timeoutMs` so that stopping never hangs. The
 * manager is not public API: where it is missing, nothing is waited for.
 */
export async function drainOutgoingCryptoRequests(client: MatrixClient, timeoutMs = 2_000): Promise<void> {
  const crypto = client.getCrypto() as
    { outgoingRequestsManager?: { doProcessOutgoingRequests?: () => Promise<void> } } | undefined;
  const manager = crypto?.outgoingRequestsManager;
  if (typeof manager?.doProcessOutgoingRequests !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    manager.doProcessOutgoingRequests().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

// What the web console can do, declared for the core (src/chat's messenger port).
import { classifyTransportFailure, type Messenger } from '../../src/chat/index.ts';

export const webMessenger: Messenger = {
  platform: 'web',
  capabilities: {
    // TLS to our own server: not end-to-end.
    endToEndEncrypted: false,
    threads: false,
    choices: 'buttons',
    commandPrefix: '/',
    linkCommand: '/link',
    maxMessageLength: 20_000,
    formatting: 'plain',
    // Pushes carry the outbox id: a repeated push stores and shows nothing new.
    idempotentSends: true,
  },
  // Pushes go to Redis, not to a remote API: only transport failures exist.
  classifyFailure: classifyTransportFailure,
};

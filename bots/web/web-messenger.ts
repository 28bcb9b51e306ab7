// What the web console can do, declared for the core (src/chat's messenger port).
import { join } from 'node:path';
import { classifyTransportFailure, type Messenger } from '../../src/chat/index.ts';

/** The web console's own texts (its name as people read it), loaded beside the core's. */
export const webLocalesFolder = join(import.meta.dirname, 'locales');

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
    // The console's input shows the hint as its placeholder; a one-line input fits about this much.
    maxInputHintLength: 64,
    // The action travels in the console's own JSON events.
    maxButtonActionBytes: 255,
    formatting: 'plain',
    // Pushes carry the outbox id: a repeated push stores and shows nothing new.
    idempotentSends: true,
  },
  // Pushes go to Redis, not to a remote API: only transport failures exist.
  classifyFailure: classifyTransportFailure,
};

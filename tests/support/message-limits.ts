// What one message holds on every messenger this build knows, as the composition root computes it:
// for tests that build the ask service themselves.
import { messengerAdapters } from '../../bots/index.ts';
import { webMessenger } from '../../bots/web/index.ts';
import { sharedMessageLimits } from '../../src/chat/index.ts';

export const buildMessageLimits = sharedMessageLimits([
  ...Object.values(messengerAdapters).map((module) => module.messenger),
  webMessenger,
]);

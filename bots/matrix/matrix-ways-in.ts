// How a new member uses an invite code on Matrix: a direct chat with the bot (matrix.to opens it in
// any client) and `!link CODE` typed there.
import type { WayIn } from '../../src/chat/index.ts';
import type { Config } from '../../src/config/config.ts';

/** What a member types to the Matrix bot in a direct chat. */
export const matrixLinkCommand = (code: string): string => `!link ${code}`;

/** Opens a direct chat with the bot in any Matrix client. */
export const matrixBotLink = (userId: string): string => `https://matrix.to/#/${encodeURIComponent(userId)}`;

export const matrixWayIn = (botUserId: string): WayIn => ({
  platform: 'matrix',
  link: () => matrixBotLink(botUserId),
  instruction: (code) => ({ to: botUserId, command: matrixLinkCommand(code) }),
});

/** From the configuration alone (the CLI): when the bot account is configured. */
export const matrixWayInFromConfig = (config: Config): Promise<WayIn | undefined> =>
  Promise.resolve(
    config.matrix.homeserverUrl === undefined || config.matrix.userId === undefined
      ? undefined
      : matrixWayIn(config.matrix.userId),
  );

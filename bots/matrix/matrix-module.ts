// The Matrix adapter as the composition root sees it (src/chat/messenger-module.ts): on when
// MATRIX_HOMESERVER_URL is set (configuration checks guarantee the account and store key then).
import { join } from 'node:path';
import type { MessengerAdapterModule } from '../../src/chat/index.ts';
import { createMatrixBot, type MatrixBot } from './matrix-bot.ts';
import { matrixMessenger } from './matrix-messenger.ts';
import { matrixWayInFromConfig } from './matrix-ways-in.ts';

export const matrixAdapterModule: MessengerAdapterModule<MatrixBot> = {
  messenger: matrixMessenger,
  // Its name and the bot's own chrome (numbered choices, welcome, the unencrypted-room refusal), in en and ru.
  localesFolder: join(import.meta.dirname, 'locales'),
  create({ config, engine, identities, translator, db, redis, logger }) {
    const { homeserverUrl, userId, accessToken, password, storeKey, deviceName, devicePolicy } =
      config.matrix;
    if (homeserverUrl === undefined || userId === undefined || storeKey === undefined) {
      logger.info(
        'Matrix bot is off: MATRIX_HOMESERVER_URL is not set (register a bot account and set MATRIX_* to turn it on)',
      );
      return undefined;
    }
    return createMatrixBot({
      engine,
      identities,
      translator,
      db,
      redis,
      logger,
      account: { homeserverUrl, userId, accessToken, password, deviceName, devicePolicy },
      storeKey,
      defaultLocale: config.defaultLocale,
    });
  },
  wayInFromConfig: matrixWayInFromConfig,
};

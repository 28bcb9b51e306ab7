// How a new member uses an invite code on Telegram: the bot's deep link, which opens the chat and
// sends `/start CODE` in one tap.
import type { Config } from '../../src/config/config.ts';
import type { WayIn } from '../../src/chat/index.ts';

/** The deep link needs the bot's username: configured, or learnt by the running bot (getMe). */
export const telegramWayIn = (username: () => string | undefined): WayIn => ({
  platform: 'telegram',
  link(code) {
    const name = username();
    return name === undefined ? undefined : `https://t.me/${name}?start=${code}`;
  },
});

/**
 * For a process that does not run the bot (the CLI): TELEGRAM_BOT_USERNAME, else asked from the
 * Bot API (getMe) when a token is configured. Undefined when neither works; the code alone still links.
 */
export async function telegramWayInFromConfig(config: Config): Promise<WayIn | undefined> {
  const { botUsername, botToken, apiRoot } = config.telegram;
  if (botUsername !== undefined) return telegramWayIn(() => botUsername);
  if (botToken === undefined) return undefined;
  try {
    const response = await fetch(`${apiRoot.replace(/\/$/, '')}/bot${botToken}/getMe`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { ok?: boolean; result?: { username?: string } };
    const username = body.ok === true ? body.result?.username : undefined;
    return username === undefined ? undefined : telegramWayIn(() => username);
  } catch {
    return undefined;
  }
}

// Every way into Counterpart for a new invite code: the web console link (which pre-fills the
// code), the Telegram deep link when the bot is on, the Matrix bot to write `!link CODE` to when
// Matrix is on, and a QR code of the console link for a phone camera.
import QRCode from 'qrcode';
import type { InviteService } from './invite-service.ts';

/** Where the console is reached: PUBLIC_URL, else the listening address (a wildcard host means this machine). */
export function consoleBaseUrl(settings: {
  publicUrl: string | undefined;
  host: string;
  port: number;
}): string {
  if (settings.publicUrl !== undefined) return settings.publicUrl.replace(/\/+$/, '');
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings.port}`;
}

/** The console's login page with the code filled in. */
export const webInviteLink = (base: string, code: string): string =>
  `${base}/login?code=${encodeURIComponent(code)}`;

/** What a member types to the Matrix bot in a direct chat. */
export const matrixLinkCommand = (code: string): string => `!link ${code}`;

/** Opens a direct chat with the bot in any Matrix client. */
export const matrixBotLink = (userId: string): string => `https://matrix.to/#/${encodeURIComponent(userId)}`;

/**
 * Registers the Matrix bot's link and `!link CODE` instruction with the invite service, when the
 * Matrix bot is on (Telegram registers its own link, since the bot learns its username only once
 * it runs; the web console link is always there).
 */
export function registerMatrixInvites(
  invites: Pick<InviteService, 'registerLinkBuilder' | 'registerInstruction'>,
  matrixUserId: string | undefined,
): void {
  if (matrixUserId !== undefined) {
    invites.registerLinkBuilder('matrix', () => matrixBotLink(matrixUserId));
    invites.registerInstruction('matrix', (code) => ({ to: matrixUserId, command: matrixLinkCommand(code) }));
  }
}

/** A QR code of `text` as an SVG element (no inline styles, so a strict Content-Security-Policy holds). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** A QR code of `text` drawn with block characters, for a terminal. */
export function qrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

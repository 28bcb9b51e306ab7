// The core's ways into Counterpart for a new invite code: the web console link (which pre-fills
// the code) and a QR code of it for a phone camera. Each messenger adds its own way in (a deep
// link, a command to type to its bot) through InviteService.registerWayIn.

/** Loaded on the first QR code drawn (invites are rare; the library is not small). */
const loadQrCode = async () => (await import('qrcode')).default;

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

/** A QR code of `text` as an SVG element (no inline styles, so a strict Content-Security-Policy holds). */
export async function qrSvg(text: string): Promise<string> {
  return (await loadQrCode()).toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** A QR code of `text` drawn with block characters, for a terminal. */
export async function qrTerminal(text: string): Promise<string> {
  return (await loadQrCode()).toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

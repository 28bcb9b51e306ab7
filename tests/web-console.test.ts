// The web console through HTTP, as a browser uses it: the page, login with an invite code or an
// API token, the session cookie, CSRF protection and asking the conversation engine. Pushes over
// server-sent events: web-console-pushes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/application.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { csrf, sessionCookie, webConsoleClient } from './support/web-console-client.ts';

let test: TestApp;
let app: Application['app'];
let client: ReturnType<typeof webConsoleClient>;

beforeAll(async () => {
  test = await startTestApp('web-console');
  app = test.application.app;
  client = webConsoleClient(app, test.adminToken);
});
afterAll(async () => {
  await test.close();
});

const createMember = (...args: Parameters<typeof client.createMember>) => client.createMember(...args);
const inviteFor = (memberId: string) => client.inviteFor(memberId);
const login = (...args: Parameters<typeof client.login>) => client.login(...args);
const loggedInMember = (name: string) => client.loggedInMember(name);
const newAddress = () => client.newAddress();

describe('the page', () => {
  it('shows a newcomer the login form, in Russian when the browser prefers it, under a strict CSP', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    // Served over plain http (a LAN address), the page must not tell the browser to fetch its files over https.
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.body).toContain('<html lang="ru">');
    expect(response.body).toContain('Код приглашения');
    expect(response.body).toContain('Демонстрационные данные');
    // No inline script may run under the CSP: the only script is the external module.
    expect(response.body).not.toMatch(/<script(?![^>]*(type="application\/json"|src=))/);
    expect(response.body).toContain('src="/console/assets/console.js"');
  });

  it("an invite's web link opens the login form with the code filled in, and keeps it from other sites", async () => {
    const code = await inviteFor(await createMember('Link Follower', 'KG'));
    const response = await app.inject({ method: 'GET', url: `/login?code=${code}&lang=en` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.body).toContain('data-state="login"');
    expect(response.body).toContain(`value="${code}"`);
    // Whatever is in the address is text, never markup.
    const hostile = await app.inject({
      method: 'GET',
      url: '/login?code=%22%3E%3Cscript%3Ealert(1)%3C/script%3E',
    });
    expect(hostile.body).not.toContain('<script>alert');
    expect(hostile.body).toContain('value="&#34;&#62;&#60;script&#62;');
  });

  it('switches to English with ?lang=en and remembers the choice', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/?lang=en',
      headers: { 'accept-language': 'ru' },
    });
    expect(response.body).toContain('<html lang="en">');
    expect(response.body).toContain('Invite code');
    const remembered = response.cookies.find((c) => c.name === 'counterpart_locale');
    expect(remembered?.value).toBe('en');
    const next = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-language': 'ru' },
      cookies: { counterpart_locale: 'en' },
    });
    expect(next.body).toContain('<html lang="en">');
  });

  it('serves its script and styles as files, and nothing else from the folder', async () => {
    const script = await app.inject({ method: 'GET', url: '/console/assets/console.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    const styles = await app.inject({ method: 'GET', url: '/console/assets/console.css' });
    expect(styles.headers['content-type']).toContain('text/css');
    const cached = await app.inject({
      method: 'GET',
      url: '/console/assets/console.css',
      headers: { 'if-none-match': String(styles.headers.etag) },
    });
    expect(cached.statusCode).toBe(304);
    const other = await app.inject({ method: 'GET', url: '/console/assets/index.html' });
    expect(other.statusCode).toBe(400);
  });
});

describe('logging in', () => {
  it('a member logs in with their invite code and gets an httpOnly, SameSite=Strict session cookie', async () => {
    const memberId = await createMember('Aida Web-Invite');
    const response = await login({ code: await inviteFor(memberId) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      member: { id: memberId, name: 'Aida Web-Invite', country: 'KG' },
    });
    const cookie = response.cookies.find((c) => c.name === sessionCookie)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // Plain http without PUBLIC_URL: a Secure cookie would never be sent back.
    expect(cookie.secure).toBeUndefined();
    const me = await app.inject({
      method: 'GET',
      url: '/console/me',
      cookies: { [sessionCookie]: cookie.value },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      member: { id: memberId },
      whoami: expect.stringContaining('Aida Web-Invite'),
    });
  });

  it('an invite code works once: the second login with it is refused', async () => {
    const memberId = await createMember('Bolot Web-Once');
    const code = await inviteFor(memberId);
    expect((await login({ code })).statusCode).toBe(200);
    const again = await login({ code });
    expect(again.statusCode).toBe(401);
    expect(again.cookies.find((c) => c.name === sessionCookie)).toBeUndefined();
  });

  it('a wrong code is refused, and after repeated wrong codes even a right one waits', async () => {
    const address = newAddress();
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await login({ code: `WRONG-CODE-${attempt}` }, address);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const code = await inviteFor(await createMember('Cholpon Web-Throttled'));
    const right = await login({ code }, address);
    expect(right.statusCode).toBe(429);
    // The throttled attempt did not use the code up: from another address it still works.
    expect((await login({ code })).statusCode).toBe(200);
  });

  it('a member logs in with an API token; a wrong token is refused', async () => {
    const memberId = await createMember('Dinara Web-Token');
    const issued = await app.inject({
      method: 'POST',
      url: `/v1/members/${memberId}/tokens`,
      headers: { authorization: `Bearer ${test.adminToken}` },
      payload: { label: 'laptop' },
    });
    const token = issued.json<{ token: string }>().token;
    const response = await login({ token });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ member: { id: memberId } });
    expect((await login({ token: `${token}x` })).statusCode).toBe(401);
  });

  it('bad login bodies get a clear 400 and no cookie', async () => {
    for (const payload of [{}, { code: '' }, { code: 'A', token: 'B' }, { password: 'x' }]) {
      const response = await login(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
      expect(response.cookies).toHaveLength(0);
    }
  });
});

describe('the session', () => {
  it('logout ends the session: the cookie is cleared and no longer works', async () => {
    const { secret } = await loggedInMember('Erlan Web-Logout');
    const out = await app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: csrf,
      cookies: { [sessionCookie]: secret },
      payload: {},
    });
    expect(out.statusCode).toBe(200);
    const cleared = out.cookies.find((c) => c.name === sessionCookie);
    expect(cleared?.value).toBe('');
    const me = await app.inject({ method: 'GET', url: '/console/me', cookies: { [sessionCookie]: secret } });
    expect(me.statusCode).toBe(401);
  });

  it('an unknown session cookie gets 401 and sees the login page', async () => {
    const me = await app.inject({
      method: 'GET',
      url: '/console/me',
      cookies: { [sessionCookie]: 'cps_made-up' },
    });
    expect(me.statusCode).toBe(401);
    const page = await app.inject({ method: 'GET', url: '/', cookies: { [sessionCookie]: 'cps_made-up' } });
    expect(page.body).toContain('data-state="login"');
  });

  it('refuses cookie-authenticated changes without the CSRF header or from another origin, and changes nothing', async () => {
    const { secret } = await loggedInMember('Farida Web-Csrf');
    const noHeader = await app.inject({
      method: 'POST',
      url: '/console/logout',
      cookies: { [sessionCookie]: secret },
      payload: {},
    });
    expect(noHeader.statusCode).toBe(403);
    const crossSite = await app.inject({
      method: 'POST',
      url: '/console/messages',
      headers: { ...csrf, origin: 'https://evil.example' },
      cookies: { [sessionCookie]: secret },
      payload: { text: 'help' },
    });
    expect(crossSite.statusCode).toBe(403);
    const restApi = await app.inject({
      method: 'POST',
      url: '/v1/members',
      cookies: { [sessionCookie]: secret },
      payload: { name: 'X', country: 'KG', role: 'member' },
    });
    expect(restApi.statusCode).toBe(403);
    // Still logged in: the refused logout did nothing.
    expect(
      (await app.inject({ method: 'GET', url: '/console/me', cookies: { [sessionCookie]: secret } }))
        .statusCode,
    ).toBe(200);
  });

  it('the session cookie also opens the REST API (read requests need no extra header)', async () => {
    const { secret } = await loggedInMember('Gulnara Web-Rest');
    const contacts = await app.inject({
      method: 'GET',
      url: '/v1/contacts?country=KG&competence=extradition',
      cookies: { [sessionCookie]: secret },
    });
    expect(contacts.statusCode).toBe(200);
  });

  it('unlinking the web account from the console logs the member out; logging in again links it anew', async () => {
    const { memberId, secret } = await loggedInMember('Hasan Web-Unlink');
    const unlinked = await app.inject({
      method: 'POST',
      url: '/console/messages',
      headers: csrf,
      cookies: { [sessionCookie]: secret },
      payload: { action: 'chat:unlink:yes' },
    });
    expect(unlinked.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/console/me', cookies: { [sessionCookie]: secret } }))
        .statusCode,
    ).toBe(401);
    const again = await login({ code: await inviteFor(memberId) });
    expect(again.statusCode).toBe(200);
  });

  it('a disabled member is logged out everywhere', async () => {
    const { memberId, secret } = await loggedInMember('Ilyas Web-Disabled');
    const disabled = await app.inject({
      method: 'DELETE',
      url: `/v1/members/${memberId}`,
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    expect(disabled.statusCode).toBe(204);
    expect(
      (await app.inject({ method: 'GET', url: '/console/me', cookies: { [sessionCookie]: secret } }))
        .statusCode,
    ).toBe(401);
  });
});

describe('conversation', () => {
  it('a member asks who handles extradition in Kyrgyzstan and gets the engine’s answer with buttons', async () => {
    const { secret } = await loggedInMember('Jamila Web-Ask');
    const response = await app.inject({
      method: 'POST',
      url: '/console/messages',
      headers: csrf,
      cookies: { [sessionCookie]: secret },
      payload: { text: 'Who handles extradition in Kyrgyzstan?', locale: 'en' },
    });
    expect(response.statusCode).toBe(200);
    const { messages } = response.json<{
      messages: { text: string; buttons?: { label: string; action: string }[] }[];
    }>();
    expect(messages.map((m) => m.text).join('\n')).toContain('Bakyt Demo-Toktogulov');
    // The answer's "Show requirements" button answers with the requirements for that request.
    const button = messages
      .flatMap((m) => m.buttons ?? [])
      .find((candidate) => /requirements/i.test(candidate.label));
    expect(button).toBeDefined();
    const pressed = await app.inject({
      method: 'POST',
      url: '/console/messages',
      headers: csrf,
      cookies: { [sessionCookie]: secret },
      payload: { action: button!.action },
    });
    expect(pressed.statusCode).toBe(200);
    const shown = pressed
      .json<{ messages: { text: string }[] }>()
      .messages.map((m) => m.text)
      .join('\n');
    expect(shown).toMatch(/Requirements for extradition requests to Kyrgyzstan/i);
  });

  it('a button answers in the conversation’s language, not the page’s: a Russian question on an English page', async () => {
    const member = await loggedInMember('Gulnara Web-Language');
    const asked = await client.say(member, { text: 'кто занимается экстрадицией в Киргизии', locale: 'en' });
    const button = asked
      .flatMap((message) => message.buttons ?? [])
      .find((candidate) => candidate.action.length > 0 && /треб/i.test(candidate.label));
    expect(button, JSON.stringify(asked.map((message) => message.buttons))).toBeDefined();
    // The page is English and says so with every message; the conversation is Russian.
    const pressed = await client.say(member, { action: button!.action, locale: 'en' });
    const shown = pressed.map((message) => message.text).join('\n');
    expect(shown).toMatch(/[а-яё]{4}/i);
    expect(shown).not.toMatch(/Requirements for/i);

    // And the other way round: an English question on a Russian page.
    const english = await loggedInMember('Oleg Web-Language');
    const askedInEnglish = await client.say(english, {
      text: 'Who handles extradition in Kyrgyzstan?',
      locale: 'ru',
    });
    const requirements = askedInEnglish
      .flatMap((message) => message.buttons ?? [])
      .find((candidate) => /requirements/i.test(candidate.label));
    expect(requirements).toBeDefined();
    const answered = await client.say(english, { action: requirements!.action, locale: 'ru' });
    expect(answered.map((message) => message.text).join('\n')).toMatch(
      /Requirements for extradition requests/i,
    );
  });

  it('without a session the console endpoints answer 401; blank or oversized input gets 400', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/console/messages',
          headers: csrf,
          payload: { text: 'help' },
        })
      ).statusCode,
    ).toBe(401);
    const { secret } = await loggedInMember('Kanat Web-Bad-Input');
    for (const payload of [
      { text: '   ' },
      { text: 'x'.repeat(2001) },
      { text: 'help', extra: 1 },
      { action: '' },
      {},
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/console/messages',
        headers: csrf,
        cookies: { [sessionCookie]: secret },
        payload,
      });
      expect(response.statusCode).toBe(400);
    }
  });
});

describe('behind TLS', () => {
  it('with an https PUBLIC_URL the cookie is Secure and only that origin may post', async () => {
    const secure = await startTestApp('web-console-tls', {
      env: { PUBLIC_URL: 'https://console.example.org' },
      loadDemo: false,
    });
    try {
      const secureApp = secure.application.app;
      const response = await secureApp.inject({
        method: 'POST',
        url: '/console/login',
        headers: { ...csrf, origin: 'https://console.example.org' },
        payload: { token: secure.adminToken },
      });
      expect(response.statusCode).toBe(200);
      expect(response.cookies.find((c) => c.name === sessionCookie)).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
      });
      const foreign = await secureApp.inject({
        method: 'POST',
        url: '/console/login',
        headers: { ...csrf, origin: 'http://console.example.org' },
        payload: { token: secure.adminToken },
      });
      expect(foreign.statusCode).toBe(403);
      const page = await secureApp.inject({ method: 'GET', url: '/' });
      expect(page.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await secure.close();
    }
  });
});

// The web console as a browser (or the admin preparing a member) talks to it, for tests.
import { expect } from 'vitest';
import type { Application } from '../../src/application.ts';

export const csrf = { 'x-counterpart-csrf': '1' };
export const sessionCookie = 'counterpart_session';

export interface ConsoleMember {
  memberId: string;
  /** The session cookie's value. */
  secret: string;
}

export function webConsoleClient(app: Application['app'], adminToken: string) {
  const admin = { authorization: `Bearer ${adminToken}` };
  let addressCounter = 0;
  let listening: Promise<string> | undefined;

  /** Each story logs in from its own address, so the wrong-attempt throttle of one does not touch another. */
  const newAddress = () => `10.0.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

  async function createMember(name: string, country = 'KG', contactId?: string): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: admin,
      payload: { name, country, role: 'member', ...(contactId === undefined ? {} : { contactId }) },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function inviteFor(memberId: string): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: `/v1/members/${memberId}/invites`,
      headers: admin,
      payload: {},
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ code: string }>().code;
  }

  function login(payload: Record<string, string>, remoteAddress = newAddress()) {
    return app.inject({ method: 'POST', url: '/console/login', headers: csrf, payload, remoteAddress });
  }

  /** A member who logged in with a fresh invite. */
  async function loggedInMember(name: string, country = 'KG', contactId?: string): Promise<ConsoleMember> {
    const memberId = await createMember(name, country, contactId);
    const response = await login({ code: await inviteFor(memberId) });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === sessionCookie);
    expect(cookie).toBeDefined();
    return { memberId, secret: cookie!.value };
  }

  /** Sends a question or a button press as this member; resolves to the engine's replies. */
  async function say(
    member: ConsoleMember,
    /** `locale`: the page's language, which the console sends with every message. */
    payload: ({ text: string } | { action: string }) & { locale?: 'en' | 'ru' },
  ) {
    const response = await app.inject({
      method: 'POST',
      url: '/console/messages',
      headers: csrf,
      cookies: { [sessionCookie]: member.secret },
      payload,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{
      messages: {
        text: string;
        buttons?: { label: string; action: string }[];
        /** What a guided conversation's step waits for (the input's placeholder). */
        expects?: { kind: string; placeholder?: string };
      }[];
    }>().messages;
  }

  return {
    admin,
    newAddress,
    createMember,
    inviteFor,
    login,
    loggedInMember,
    say,
    /** The app on a real port, for event streams (listens once, on port 0). */
    baseUrl: (): Promise<string> => (listening ??= app.listen({ host: '127.0.0.1', port: 0 })),
  };
}

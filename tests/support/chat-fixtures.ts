// Helpers for conversation tests: members and invites made through the public API, as a
// coordinator would make them.
import type { TestApp } from './test-app.ts';

export interface CreatedMember {
  id: string;
  name: string;
  country: string;
}

export async function createMember(
  testApp: TestApp,
  input: {
    name: string;
    /** null: an admin of no country (the network's secretariat). */
    country: string | null;
    role?: 'member' | 'coordinator' | 'admin';
    locale?: 'en' | 'ru';
    contactId?: string;
  },
  token: string = testApp.adminToken,
): Promise<CreatedMember> {
  const response = await testApp.application.app.inject({
    method: 'POST',
    url: '/v1/members',
    headers: { authorization: `Bearer ${token}` },
    payload: { role: 'member', ...input },
  });
  if (response.statusCode !== 201)
    throw new Error(`member not created: ${response.statusCode} ${response.body}`);
  return response.json();
}

export interface CreatedInvite {
  id: string;
  code: string;
  expiresAt: string;
  links: { telegram?: string };
}

export async function createInvite(
  testApp: TestApp,
  memberId: string,
  token: string = testApp.adminToken,
  body?: unknown,
): Promise<CreatedInvite> {
  const response = await testApp.application.app.inject({
    method: 'POST',
    url: `/v1/members/${memberId}/invites`,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  if (response.statusCode !== 201)
    throw new Error(`invite not created: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function createToken(testApp: TestApp, memberId: string): Promise<string> {
  const response = await testApp.application.app.inject({
    method: 'POST',
    url: `/v1/members/${memberId}/tokens`,
    headers: { authorization: `Bearer ${testApp.adminToken}` },
    payload: { label: 'test' },
  });
  if (response.statusCode !== 201)
    throw new Error(`token not created: ${response.statusCode} ${response.body}`);
  return response.json<{ token: string }>().token;
}

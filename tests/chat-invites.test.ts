// Coordinators invite members by API and CLI: one-time, expiring, stored hashed, country-scoped.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/audit/audit-schema.ts';
import { invites } from '../src/members/members-schema.ts';
import { inviteAlphabet } from '../src/members/invite-code.ts';
import { matrixWayIn } from '../bots/matrix/index.ts';
import { consoleBaseUrl, qrSvg } from '../src/members/invite-links.ts';
import { createInviteService } from '../src/members/invite-service.ts';
import { createInviteThrottle } from '../src/members/invite-throttle.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('chat_invites', { env: { TELEGRAM_BOT_USERNAME: 'counterpart_demo_bot' } });
});

afterAll(async () => {
  await testApp.close();
});

const api = (options: {
  method?: 'GET' | 'POST' | 'DELETE';
  url: string;
  token?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}) =>
  testApp.application.app.inject({
    method: options.method ?? 'GET',
    url: options.url,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.payload === undefined ? {} : { payload: options.payload as string }),
  });

const link = (code: string, user: string) =>
  testApp.application.engine.handle({
    platform: 'telegram',
    platformUserId: user,
    chatId: user,
    chatType: 'private',
    text: `/start ${code}`,
  });

describe('creating an invite', () => {
  it('returns a typeable one-time code, its expiry and the Telegram deep link; only a hash is stored', async () => {
    const member = await createMember(testApp, { name: 'Invited Person', country: 'KG' });
    const before = Date.now();
    const response = await api({
      method: 'POST',
      url: `/v1/members/${member.id}/invites`,
      token: testApp.adminToken,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<{
      code: string;
      expiresAt: string;
      links: { web: string; telegram?: string; matrix?: string };
      instructions: Record<string, unknown>;
    }>();
    expect(body.code).toMatch(new RegExp(`^[${inviteAlphabet}]{12}$`));
    expect(body.links.telegram).toBe(`https://t.me/counterpart_demo_bot?start=${body.code}`);
    // The web console is always a way in, whichever messengers are on; Matrix is off here.
    expect(body.links.web).toBe(`http://127.0.0.1:3000/login?code=${body.code}`);
    expect(body.links.matrix).toBeUndefined();
    expect(body.instructions).toEqual({});
    const days = (Date.parse(body.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);

    const stored = await testApp.database.handle.db
      .select()
      .from(invites)
      .where(eq(invites.memberId, member.id));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(body.code);
  });

  it('accepts an empty JSON body and a shorter validity', async () => {
    const member = await createMember(testApp, { name: 'Short Validity', country: 'KG' });
    const empty = await api({
      method: 'POST',
      url: `/v1/members/${member.id}/invites`,
      token: testApp.adminToken,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(201);
    const short = await createInvite(testApp, member.id, testApp.adminToken, { expiresInHours: 2 });
    expect((Date.parse(short.expiresAt) - Date.now()) / 3_600_000).toBeCloseTo(2, 1);
  });

  it('refuses bad input clearly and issues nothing', async () => {
    const member = await createMember(testApp, { name: 'Bad Input', country: 'KG' });
    for (const payload of [
      { expiresInHours: 0 },
      { expiresInHours: 100_000 },
      { expiresInHours: 'soon' },
      { code: 'MINE' },
    ]) {
      const response = await api({
        method: 'POST',
        url: `/v1/members/${member.id}/invites`,
        token: testApp.adminToken,
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const broken = await api({
      method: 'POST',
      url: `/v1/members/${member.id}/invites`,
      token: testApp.adminToken,
      headers: { 'content-type': 'application/json' },
      payload: '{"expires',
    });
    expect(broken.statusCode).toBe(400);
    expect(
      (await api({ method: 'POST', url: '/v1/members/no-such-member/invites', token: testApp.adminToken }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await api({
          method: 'POST',
          url: '/v1/members/00000000-0000-4000-8000-000000000000/invites',
          token: testApp.adminToken,
        })
      ).statusCode,
    ).toBe(404);
    const listed = await api({ url: `/v1/members/${member.id}/invites`, token: testApp.adminToken });
    expect(listed.json()).toEqual({ items: [] });
  });

  it('is for admins and for coordinators of the member’s own country only', async () => {
    const coordinator = await createMember(testApp, {
      name: 'KZ Coordinator',
      country: 'KZ',
      role: 'coordinator',
    });
    const coordinatorToken = await createToken(testApp, coordinator.id);
    const ownCountry = await createMember(testApp, { name: 'KZ Member', country: 'KZ' });
    const otherCountry = await createMember(testApp, { name: 'UZ Member', country: 'UZ' });
    const plain = await createMember(testApp, { name: 'Plain KZ', country: 'KZ' });
    const plainToken = await createToken(testApp, plain.id);

    expect(
      (await api({ method: 'POST', url: `/v1/members/${ownCountry.id}/invites`, token: coordinatorToken }))
        .statusCode,
    ).toBe(201);
    expect(
      (await api({ method: 'POST', url: `/v1/members/${otherCountry.id}/invites`, token: coordinatorToken }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api({ method: 'POST', url: `/v1/members/${ownCountry.id}/invites`, token: plainToken }))
        .statusCode,
    ).toBe(403);
    expect((await api({ method: 'POST', url: `/v1/members/${ownCountry.id}/invites` })).statusCode).toBe(401);
  });
});

describe('using an invite', () => {
  it('refuses an expired, a withdrawn and a wrong code in exactly the same words', async () => {
    const member = await createMember(testApp, { name: 'Late Comer', country: 'KG' });
    const expired = await createInvite(testApp, member.id);
    // A week passes.
    await testApp.database.handle.db.execute(
      sql`update invites set expires_at = now() - interval '1 minute' where member_id = ${member.id}`,
    );
    const withdrawn = await createInvite(testApp, member.id);
    const list = await api({ url: `/v1/members/${member.id}/invites`, token: testApp.adminToken });
    const pending = list
      .json<{ items: { id: string; status: string }[] }>()
      .items.find((item) => item.status === 'pending')!;
    expect(
      (
        await api({
          method: 'DELETE',
          url: `/v1/members/${member.id}/invites/${pending.id}`,
          token: testApp.adminToken,
        })
      ).statusCode,
    ).toBe(204);

    const answers = await Promise.all([
      link(expired.code, '880001'),
      link(withdrawn.code, '880002'),
      link('ZZZZZZZZZZZZ', '880003'),
    ]);
    const texts = answers.map((replies) => replies[0]?.text);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('not accepted');

    const statuses = (
      await api({ url: `/v1/members/${member.id}/invites`, token: testApp.adminToken })
    ).json<{ items: { status: string }[] }>();
    expect(statuses.items.map((item) => item.status).sort()).toEqual(['expired', 'revoked']);
  });

  it('shows linked accounts to the coordinator, who can unlink a lost phone', async () => {
    const member = await createMember(testApp, { name: 'Lost Phone', country: 'KG' });
    const invite = await createInvite(testApp, member.id);
    await link(invite.code, '880010');
    const accounts = await api({ url: `/v1/members/${member.id}/identities`, token: testApp.adminToken });
    const [identity] = accounts.json<{ items: { id: string; platform: string }[] }>().items;
    expect(identity?.platform).toBe('telegram');
    expect(
      (
        await api({
          method: 'DELETE',
          url: `/v1/members/${member.id}/identities/${identity!.id}`,
          token: testApp.adminToken,
        })
      ).statusCode,
    ).toBe(204);
    const [refusal] = await testApp.application.engine.handle({
      platform: 'telegram',
      platformUserId: '880010',
      chatId: '880010',
      chatType: 'private',
      text: 'who handles MLA in Kyrgyzstan',
    });
    expect(refusal?.text).toContain('not linked');
    expect(
      (await api({ url: `/v1/members/${member.id}/identities`, token: testApp.adminToken })).json(),
    ).toEqual({ items: [] });
  });

  it('leaves an audit trail of invites and links without the codes', async () => {
    const member = await createMember(testApp, { name: 'Audit Trail', country: 'KG' });
    const invite = await createInvite(testApp, member.id);
    await link(invite.code, '880020');
    await testApp.application.audit.flush();
    const rows = await testApp.database.handle.db.select().from(auditLog);
    const mine = rows.filter((row) => JSON.stringify(row).includes(member.id));
    expect(mine.map((row) => row.action)).toEqual(
      expect.arrayContaining(['invite.create', 'invite.redeem', 'identity.link']),
    );
    expect(JSON.stringify(rows)).not.toContain(invite.code);
  });
});

describe('the ways in of an invite', () => {
  it('names the Matrix bot and the command to send it when Matrix is on, and draws the console link as a QR code', async () => {
    const { db } = testApp.database.handle;
    const service = createInviteService({
      db,
      audit: testApp.application.audit,
      throttle: createInviteThrottle({ db }),
      ttlHours: 24,
      consoleUrl: consoleBaseUrl({ publicUrl: 'https://console.example.org/', host: '0.0.0.0', port: 80 }),
    });
    service.registerWayIn(matrixWayIn('@counterpart:example.org'));
    const member = await createMember(testApp, { name: 'Matrix Invitee', country: 'KG' });
    const issued = await service.create(undefined, member.id);
    expect(issued.links).toEqual({
      web: `https://console.example.org/login?code=${issued.code}`,
      matrix: 'https://matrix.to/#/%40counterpart%3Aexample.org',
    });
    expect(issued.instructions).toEqual({
      matrix: { to: '@counterpart:example.org', command: `!link ${issued.code}` },
    });
    const svg = await qrSvg(issued.links.web);
    expect(svg).toMatch(/^<svg [^>]*viewBox/);
    // No style attributes: the console's Content-Security-Policy allows no inline styles.
    expect(svg).not.toContain('style=');
    // Without PUBLIC_URL the listening address stands in, never a wildcard one.
    expect(consoleBaseUrl({ publicUrl: undefined, host: '0.0.0.0', port: 3000 })).toBe(
      'http://127.0.0.1:3000',
    );
  });
});

describe('the CLI', () => {
  it('issues an invite that links a Telegram account, with every way in and a QR code of the console link', async () => {
    const member = await createMember(testApp, { name: 'CLI Invitee', country: 'TJ' });
    const { stdout, stderr } = await promisify(execFile)(
      'npx',
      ['node', 'src/cli/main.ts', 'invite', 'create', '--member', member.id, '--hours', '24'],
      {
        env: {
          ...process.env,
          DATABASE_URL: testApp.database.url,
          TELEGRAM_BOT_USERNAME: 'counterpart_demo_bot',
          PUBLIC_URL: 'https://counterpart.example.org',
          LOG_LEVEL: 'error',
        },
      },
    );
    const printed = JSON.parse(stdout.trim()) as { code: string; links: { web: string; telegram?: string } };
    expect(printed.links.telegram).toBe(`https://t.me/counterpart_demo_bot?start=${printed.code}`);
    expect(printed.links.web).toBe(`https://counterpart.example.org/login?code=${printed.code}`);
    // People read the ways in and a terminal QR code (half-block characters) on stderr.
    expect(stderr).toContain(`web: https://counterpart.example.org/login?code=${printed.code}`);
    expect(stderr).toMatch(/[▀▄█]{10}/);
    expect((await link(printed.code, '880030'))[0]?.text).toContain('Welcome, CLI Invitee');
  });
});

// A prosecutor registers the formal requests they sent, through the REST API, and follows them.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

// The demo registry's day (kg-002 on leave), whatever day the suite runs.
const clock = createTestClock(demoDay);

let testApp: TestApp;
let kazakhProsecutor: string;
let kyrgyzProsecutor: string;
let uzbekCoordinator: string;
let uzbekContactPoint: string;

beforeAll(async () => {
  testApp = await startTestApp('requests_api', { env: { RUN_MODE: 'api' }, clock });
  const token = async (input: Parameters<typeof createMember>[1]) =>
    createToken(testApp, (await createMember(testApp, input)).id);
  kazakhProsecutor = await token({ name: 'Aigerim Requester', country: 'KZ' });
  kyrgyzProsecutor = await token({ name: 'Nurlan Outsider', country: 'KG' });
  uzbekCoordinator = await token({ name: 'Dilnoza Coordinator', country: 'UZ', role: 'coordinator' });
  uzbekContactPoint = await token({ name: 'Uz Two', country: 'UZ', contactId: 'uz-002' });
});

afterAll(async () => {
  await testApp.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
  testApp.application.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const daysAgo = (days: number) => new Date(clock.now().getTime() - days * 86_400_000).toISOString();

describe('registering a request', () => {
  it('an MLA request to Uzbekistan is registered with its first nudge in Tashkent working hours', async () => {
    const response = await call('POST', '/v1/requests', kazakhProsecutor, {
      type: 'mla',
      toCountry: 'UZ',
      contactId: 'uz-002',
      ourReference: 'KZ-MLA-2026/117',
      subject: 'Bank records of a shell company',
      sentAt: daysAgo(30),
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      status: 'sent',
      type: 'mla',
      fromCountry: 'KZ',
      toCountry: 'UZ',
      contactId: 'uz-002',
      authorityId: 'uz-gpo',
      urgent: false,
    });
    expect(created.id).toMatch(/^[a-z2-9]{12}$/);
    // Sent 30 days ago, first check after 14: overdue, so the next working moment in Tashkent.
    const next = DateTime.fromISO(created.nextNudgeAt as string, { zone: 'Asia/Tashkent' });
    expect(next.toMillis()).toBeGreaterThanOrEqual(clock.now().getTime() - 60_000);
    expect(next.weekday).toBeLessThanOrEqual(5);
    expect(next.hour * 60 + next.minute).toBeGreaterThanOrEqual(9 * 60);
    expect(next.hour).toBeLessThan(18);

    const detail = await call('GET', `/v1/requests/${created.id as string}`, kazakhProsecutor);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().events).toEqual([
      expect.objectContaining({
        kind: 'registered',
        details: expect.objectContaining({ contactId: 'uz-002', chosenBy: 'requester' }),
      }),
    ]);
  });

  it('without a contact, the ask ranking chooses: the Kyrgyz extradition head while the other contact is on leave', async () => {
    const response = await call('POST', '/v1/requests', kazakhProsecutor, {
      type: 'extradition',
      toCountry: 'KG',
      ourReference: 'KZ-EXT-2026/9',
      subject: 'Extradition of a fraud suspect',
      sentAt: daysAgo(2),
      urgent: true,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ contactId: 'kg-001', urgent: true });

    // For MLA, kg-002 comes first in the registry: while she is away, kg-003 is chosen; once she
    // is back, she is.
    const mla = {
      type: 'mla',
      toCountry: 'KG',
      ourReference: 'KZ-MLA-2026/12',
      subject: 'Bank records',
      sentAt: daysAgo(2),
    };
    const whileAway = await call('POST', '/v1/requests', kazakhProsecutor, mla);
    expect(whileAway.json()).toMatchObject({ contactId: 'kg-003' });
    const leave = (await call('GET', '/v1/contacts/kg-002', kazakhProsecutor)).json().outOfOffice as {
      end: string;
    };
    clock.set(`${leave.end}T04:00:00Z`);
    clock.advance(86_400_000);
    try {
      const back = await call('POST', '/v1/requests', kazakhProsecutor, { ...mla, sentAt: daysAgo(2) });
      expect(back.json()).toMatchObject({ contactId: 'kg-002' });
    } finally {
      clock.set(demoDay);
    }
  });

  it('bad input gets a clear 400 and stores nothing', async () => {
    const before = (await call('GET', '/v1/requests?mine=true', kazakhProsecutor)).json().total as number;
    const valid = {
      type: 'mla',
      toCountry: 'UZ',
      ourReference: 'X-1',
      subject: 'Something',
      sentAt: daysAgo(1),
    };
    const cases: [unknown, string][] = [
      [{ ...valid, type: 'tea_party' }, '/type'],
      [{ ...valid, toCountry: 'XX' }, '/toCountry'],
      [{ ...valid, contactId: 'kg-001' }, '/contactId'],
      [{ ...valid, contactId: 'kg-004', toCountry: 'KG' }, '/contactId'],
      [{ ...valid, sentAt: new Date(clock.now().getTime() + 3 * 86_400_000).toISOString() }, '/sentAt'],
      [{ ...valid, sentAt: 'last Tuesday' }, 'body/sentAt'],
      [{ ...valid, subject: 'x'.repeat(201) }, 'body/subject'],
      [{ ...valid, colour: 'blue' }, ''],
      [{ ...valid, ourReference: '   ' }, '/ourReference'],
    ];
    for (const [payload, path] of cases) {
      const response = await call('POST', '/v1/requests', kazakhProsecutor, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const error = response.json().error;
      expect(['validation_failed']).toContain(error.code);
      expect(JSON.stringify(error.details)).toContain(path);
    }
    // A member registers for their own country only.
    const foreign = await call('POST', '/v1/requests', kazakhProsecutor, { ...valid, fromCountry: 'KG' });
    expect(foreign.statusCode).toBe(403);
    expect((await call('GET', '/v1/requests?mine=true', kazakhProsecutor)).json().total).toBe(before);
    expect(
      (await testApp.application.app.inject({ method: 'POST', url: '/v1/requests', payload: valid }))
        .statusCode,
    ).toBe(401);
  });
});

describe('who sees what', () => {
  it("members see their own and those addressed to them; coordinators their country's; others nothing", async () => {
    const created = (
      await call('POST', '/v1/requests', kazakhProsecutor, {
        type: 'mla',
        toCountry: 'UZ',
        contactId: 'uz-002',
        ourReference: 'KZ-MLA-2026/200',
        subject: 'Witness hearing',
        sentAt: daysAgo(3),
      })
    ).json();
    const id = created.id as string;
    expect((await call('GET', `/v1/requests/${id}`, kyrgyzProsecutor)).statusCode).toBe(404);
    expect((await call('GET', `/v1/requests/${id}`, uzbekCoordinator)).statusCode).toBe(200);
    expect((await call('GET', `/v1/requests/${id}`, uzbekContactPoint)).statusCode).toBe(200);

    const ids = async (token: string, query = '') =>
      ((await call('GET', `/v1/requests${query}`, token)).json().items as { id: string }[]).map(
        (item) => item.id,
      );
    expect(await ids(kazakhProsecutor)).toContain(id);
    expect(await ids(kyrgyzProsecutor)).not.toContain(id);
    expect(await ids(uzbekCoordinator)).toContain(id);
    expect(await ids(uzbekContactPoint)).toContain(id);
    expect(await ids(uzbekCoordinator, '?status=executed')).not.toContain(id);
    expect(await ids(testApp.adminToken, '?country=UZ')).toContain(id);
    expect(await ids(testApp.adminToken, '?country=AM')).not.toContain(id);
  });
});

describe('changing a request', () => {
  it('the requester records their reference and the execution: nudges stop', async () => {
    const id = (
      await call('POST', '/v1/requests', kazakhProsecutor, {
        type: 'mla',
        toCountry: 'UZ',
        ourReference: 'KZ-MLA-2026/300',
        subject: 'Company register extract',
        sentAt: daysAgo(40),
      })
    ).json().id as string;
    // Only the requester's side may change it.
    expect(
      (await call('PATCH', `/v1/requests/${id}`, kyrgyzProsecutor, { status: 'executed' })).statusCode,
    ).toBe(404);
    expect(
      (await call('PATCH', `/v1/requests/${id}`, uzbekContactPoint, { status: 'executed' })).statusCode,
    ).toBe(403);
    expect((await call('PATCH', `/v1/requests/${id}`, kazakhProsecutor, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/v1/requests/${id}`, kazakhProsecutor, { status: 'lost' })).statusCode).toBe(
      400,
    );

    const patched = await call('PATCH', `/v1/requests/${id}`, kazakhProsecutor, {
      theirReference: 'UZ-GP-55/12',
      status: 'executed',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      status: 'executed',
      theirReference: 'UZ-GP-55/12',
      nextNudgeAt: null,
    });
    expect(patched.json().closedAt).not.toBeNull();
    const events = (await call('GET', `/v1/requests/${id}`, kazakhProsecutor)).json().events as {
      kind: string;
      details: Record<string, unknown>;
    }[];
    expect(events.map((event) => event.kind)).toEqual(['registered', 'status_changed', 'updated']);
    expect(events[1]?.details).toEqual({ from: 'sent', to: 'executed' });
  });

  it('withdrawing stops the nudges and is recorded', async () => {
    const id = (
      await call('POST', '/v1/requests', kazakhProsecutor, {
        type: 'extradition',
        toCountry: 'UZ',
        ourReference: 'KZ-EXT-2026/31',
        subject: 'Extradition',
        sentAt: daysAgo(1),
      })
    ).json().id as string;
    const withdrawn = await call('POST', `/v1/requests/${id}/withdraw`, kazakhProsecutor);
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', nextNudgeAt: null });
    const events = (await call('GET', `/v1/requests/${id}`, kazakhProsecutor)).json().events as {
      kind: string;
    }[];
    expect(events.at(-1)?.kind).toBe('withdrawn');
  });
});

// The stewardship console's pages over HTTP, as a browser with htmx uses them: a
// coordinator sees and edits their own country's contacts only, every problem of a form is shown
// next to its field, and what the page refuses the server refuses too.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/application.ts';
import { auditLog } from '../src/db/schema.ts';
import { formalRequests } from '../src/requests/requests-schema.ts';
import { createToken } from './support/chat-fixtures.ts';
import { seedAnswerTimes } from './support/stats-seed.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { csrf, sessionCookie } from './support/web-console-client.ts';

let test: TestApp;
let app: Application['app'];
const admin = () => ({ authorization: `Bearer ${test.adminToken}` });
const clock = createTestClock(demoDay);

beforeAll(async () => {
  // The demo day, so "verified today" is a known date whatever day the suite runs.
  test = await startTestApp('stewardship_console', { clock });
  app = test.application.app;
});
afterAll(async () => {
  await test.close();
});

let addresses = 0;
async function loggedIn(name: string, country: string, role: 'member' | 'coordinator' | 'admin') {
  const member = await app.inject({
    method: 'POST',
    url: '/v1/members',
    headers: admin(),
    payload: { name, country, role },
  });
  expect(member.statusCode).toBe(201);
  const invite = await app.inject({
    method: 'POST',
    url: `/v1/members/${member.json<{ id: string }>().id}/invites`,
    headers: admin(),
    payload: {},
  });
  const login = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: csrf,
    payload: { code: invite.json<{ code: string }>().code },
    remoteAddress: `10.9.0.${++addresses}`,
  });
  expect(login.statusCode).toBe(200);
  const secret = login.cookies.find((cookie) => cookie.name === sessionCookie)?.value ?? '';
  return {
    id: member.json<{ id: string }>().id,
    get: (url: string) => app.inject({ method: 'GET', url, cookies: { [sessionCookie]: secret } }),
    post: (url: string, form: Record<string, string | string[]>) => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form))
        for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
      return app.inject({
        method: 'POST',
        url,
        cookies: { [sessionCookie]: secret },
        headers: { ...csrf, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    },
  };
}

/** The contact form as the page renders it for a record (what a browser would submit unchanged). */
function formOf(record: Record<string, unknown>): Record<string, string | string[]> {
  const contact = record as {
    name: Record<string, string>;
    title: string | Record<string, string>;
    authority: string;
    status: string;
    competences: string[];
    languages: string[];
    channels: Record<string, string>;
    workingHours: { days: number[]; start: string; end: string };
    deputy?: string | null;
  };
  return {
    name_en: contact.name.en ?? '',
    name_ru: contact.name.ru ?? '',
    title: typeof contact.title === 'string' ? contact.title : (contact.title.en ?? ''),
    title_ru: typeof contact.title === 'string' ? '' : (contact.title.ru ?? ''),
    authority: contact.authority,
    status: contact.status,
    competences: contact.competences,
    languages: contact.languages.join(', '),
    channel_kind: Object.keys(contact.channels),
    channel_value: Object.values(contact.channels),
    days: contact.workingHours.days.map(String),
    hours_start: contact.workingHours.start,
    hours_end: contact.workingHours.end,
    deputy: contact.deputy ?? '',
  };
}

const contact = async (id: string) =>
  (await app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: admin() })).json<
    Record<string, unknown>
  >();

describe('who may open the stewardship pages', () => {
  it('sends a visitor without a session to log in and come back', async () => {
    const response = await app.inject({ method: 'GET', url: '/console/registry?stale=1' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fconsole%2Fregistry%3Fstale%3D1');
  });

  it('refuses a member (the pages are for coordinators and the secretariat), in their language', async () => {
    const member = await loggedIn('Plain Member', 'KZ', 'member');
    const response = await member.get('/console/registry?lang=ru');
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('<html lang="ru">');
    expect(response.body).toContain('требует другой роли');
  });
});

describe('a coordinator of Kazakhstan', () => {
  it('sees the contacts of Kazakhstan only, finds one by a name typed in Cyrillic, and filters the stale ones', async () => {
    const coordinator = await loggedIn('Saule Coordinator', 'KZ', 'coordinator');
    const all = await coordinator.get('/console/registry?country=KG');
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-security-policy']).toContain("script-src 'self'");
    expect(all.body).toContain('Aidos Demo-Nurlanov');
    expect(all.body).not.toContain('Bakyt Demo-Toktogulov');
    const found = await coordinator.get(`/console/registry?q=${encodeURIComponent('Ерлан')}`);
    expect(found.body).toContain('Yerlan Demo-Abenov');
    expect(found.body).not.toContain('Aidos Demo-Nurlanov');
    const stale = await coordinator.get('/console/registry?stale=1');
    expect(stale.body).toContain('Daniyar Demo-Omarov');
    expect(stale.body).not.toContain('Aidos Demo-Nurlanov');
    expect(stale.body).toMatch(/1 contact\b/);
  });

  it('edits a phone: a wrong value is shown next to the field and changes nothing, a right one saves', async () => {
    const coordinator = await loggedIn('Saule Editor', 'KZ', 'coordinator');
    const before = await contact('kz-001');
    const form = formOf(before);
    const phoneIndex = (form.channel_kind as string[]).indexOf('phone');
    const wrong = await coordinator.post('/console/registry/contacts/kz-001', {
      ...form,
      channel_value: (form.channel_value as string[]).map((value, index) =>
        index === phoneIndex ? 'call the office' : value,
      ),
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain(`id="field-channel-${phoneIndex}-error"`);
    expect(wrong.body).toContain('Enter the phone number in international format');
    expect(wrong.body).toMatch(new RegExp(`id="field-channel-${phoneIndex}"[^>]*aria-invalid="true"`));
    expect(await contact('kz-001')).toEqual(before);

    const right = await coordinator.post('/console/registry/contacts/kz-001', {
      ...form,
      channel_value: (form.channel_value as string[]).map((value, index) =>
        index === phoneIndex ? '+7 7172 71 00 00' : value,
      ),
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('Saved (1 field changed)');
    expect((await contact('kz-001')).channels).toMatchObject({ phone: '+7 7172 71 00 00' });
    // The change is in the contact's history, with who made it.
    const page = await coordinator.get('/console/registry/contacts/kz-001');
    expect(page.body).toMatch(/changed<\/span>\s*<span class="muted">Saule Editor<\/span>/);
  });

  it('verifies a record: it is verified today, by them', async () => {
    const coordinator = await loggedIn('Saule Verifier', 'KZ', 'coordinator');
    const response = await coordinator.post('/console/registry/contacts/kz-004/verify', {});
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Verified today');
    const record = await contact('kz-004');
    expect(record.verifiedAt).toBe('2026-12-01');
    expect(record.verifiedBy).toBe(coordinator.id);
  });

  it('cannot open or change a Kyrgyz contact: the page and the server both refuse', async () => {
    const coordinator = await loggedIn('Saule Outsider', 'KZ', 'coordinator');
    const before = await contact('kg-001');
    const page = await coordinator.get('/console/registry/contacts/kg-001');
    expect(page.statusCode).toBe(403);
    expect(page.body).not.toContain('Bakyt Demo-Toktogulov');
    const write = await coordinator.post('/console/registry/contacts/kg-001', formOf(before));
    expect(write.statusCode).toBe(403);
    const verify = await coordinator.post('/console/registry/contacts/kg-001/verify', {});
    expect(verify.statusCode).toBe(403);
    expect(await contact('kg-001')).toEqual(before);
  });
});

describe('members', () => {
  it('a coordinator adds a colleague and sees every way in: the console link with the code, and its QR code', async () => {
    const coordinator = await loggedIn('Saule Inviter', 'KZ', 'coordinator');
    const page = await coordinator.get('/console/members');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Saule Inviter');
    const created = await coordinator.post('/console/members', {
      name: 'Aliya Colleague',
      role: 'member',
      contactId: 'kz-003',
      locale: 'ru',
      invite: '1',
    });
    expect(created.statusCode).toBe(200);
    const code = /<code class="secret">([A-Z0-9]{12})<\/code>/.exec(created.body)?.[1];
    expect(code).toBeDefined();
    expect(created.body).toContain(`http://127.0.0.1:3000/login?code=${code ?? ''}`);
    expect(created.body).toMatch(/<svg role="img" aria-label="QR code of the web console link"/);
    // The link's label is the console's name as its adapter gives it (bots/web/locales).
    expect(created.body).toMatch(/<dt>\s*web console\s*<\/dt>/);
    // The code works once: the colleague logs in with it.
    const login = await app.inject({
      method: 'POST',
      url: '/console/login',
      headers: csrf,
      payload: { code },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json<{ member: { name: string } }>().member.name).toBe('Aliya Colleague');
  });

  it("a coordinator cannot invite, unlink or disable another country's member", async () => {
    const coordinator = await loggedIn('Saule Neighbour', 'KZ', 'coordinator');
    const kyrgyz = await app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: admin(),
      payload: { name: 'Kyrgyz Member', country: 'KG', role: 'member' },
    });
    const id = kyrgyz.json<{ id: string }>().id;
    expect((await coordinator.post(`/console/members/${id}/invites`, {})).statusCode).toBe(404);
    expect((await coordinator.post(`/console/members/${id}/disable`, {})).statusCode).toBe(404);
    const list = await coordinator.get('/console/members?country=KG');
    expect(list.body).not.toContain('Kyrgyz Member');
  });
});

describe('analytics', () => {
  beforeAll(async () => {
    await seedAnswerTimes(test);
  });

  it('the API gives the medians and 90th percentiles of the seeded answer times, the country’s and the network’s', async () => {
    const coordinator = await loggedIn('Saule Analyst', 'KZ', 'coordinator');
    const requests = (await coordinator.get('/v1/stats/requests')).json<{
      rows: {
        fromCountry: string;
        toCountry: string;
        requests: number;
        acknowledgeMedianSeconds: number;
        acknowledgeP90Seconds: number;
        executeMedianSeconds: number;
      }[];
      network: { requests: number; acknowledgeMedianSeconds: number };
    }>();
    expect(requests.rows).toEqual([
      expect.objectContaining({
        fromCountry: 'KZ',
        toCountry: 'KG',
        requests: 3,
        acknowledgeMedianSeconds: 2 * 86_400,
        acknowledgeP90Seconds: Math.round(2.8 * 86_400),
        executeMedianSeconds: 4 * 86_400,
      }),
    ]);
    // The network: all four requests, median of 1, 2, 3 and 10 days.
    expect(requests.network).toMatchObject({ requests: 4, acknowledgeMedianSeconds: 2.5 * 86_400 });
    const consultationStats = (await coordinator.get('/v1/stats/consultations')).json<{
      rows: { medianSeconds: number; p90Seconds: number }[];
    }>();
    expect(consultationStats.rows).toEqual([
      expect.objectContaining({
        askerCountry: 'KZ',
        country: 'KG',
        competence: 'extradition',
        medianSeconds: 3 * 3600,
        p90Seconds: Math.round(3.8 * 3600),
      }),
    ]);
    const csv = await coordinator.get('/v1/stats/requests?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[1]).toBe('KZ,KG,mla,3,3,172800,241920,1,345600,345600');
    // Members see no statistics.
    const member = await loggedIn('Curious Member', 'KZ', 'member');
    expect((await member.get('/v1/stats/requests')).statusCode).toBe(403);
  });

  it('the analytics page shows the same figures in its tables, beside the charts, with CSV downloads', async () => {
    const coordinator = await loggedIn('Saule Reader', 'KZ', 'coordinator');
    const page = await coordinator.get('/console/analytics');
    expect(page.statusCode).toBe(200);
    const requestsTable = /<table[^>]*id="table-requests"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    expect(requestsTable).toMatch(
      /KZ → KG[\s\S]*Mutual legal assistance[\s\S]*>3<[\s\S]*2 days[\s\S]*2\.8 days[\s\S]*4 days/,
    );
    const consultationsTable =
      /<table[^>]*id="table-consultations"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    expect(consultationsTable).toMatch(/3 hours[\s\S]*3\.8 hours/);
    // Undeliverable consultations have their own column, apart from the answered ones.
    expect(consultationsTable).toMatch(/data-label="Undeliverable"[^>]*>\s*<span class="number">0</);
    expect(page.body).toMatch(/<svg\s+viewBox=/);
    expect(page.body).toContain('href="/v1/stats/requests?format=csv"');
    // Freshness over time: a row per month up to this one, for the country and the network.
    expect(page.body).toContain('id="table-freshness-monthly"');
    const registry = (await coordinator.get('/v1/stats/registry')).json<{
      monthly: { month: string; contacts: number; share12Months: number }[];
      networkMonthly: { month: string }[];
    }>();
    expect(registry.monthly.at(-1)).toMatchObject({
      month: clock.now().toISOString().slice(0, 7),
      contacts: 4,
    });
    expect(registry.networkMonthly).toHaveLength(registry.monthly.length);
    const monthlyCsv = await coordinator.get('/v1/stats/registry?format=csv&series=monthly');
    expect(monthlyCsv.body.split('\r\n')[0]).toBe('month,contacts,share6Months,share12Months');
  });

  it('exposes the network figures as Prometheus gauges', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/counterpart_request_acknowledge_seconds\{quantile="0.5"\} 216000/);
    expect(metrics.body).toMatch(/counterpart_consultation_first_answer_seconds\{quantile="0.5"\} 10800/);
    expect(metrics.body).toContain('counterpart_registry_verified_ratio{country="KZ",window="12m"}');
  });
});

describe('requests, consultations and the audit log', () => {
  it('a coordinator sees their country’s requests, escalations first, and consultations without bodies; an admin verifies the audit chain', async () => {
    const coordinator = await loggedIn('Saule Overseer', 'KZ', 'coordinator');
    const requests = await coordinator.get('/console/requests?overdue=1');
    expect(requests.statusCode).toBe(200);
    const consultationsPage = await coordinator.get('/console/consultations');
    expect(consultationsPage.statusCode).toBe(200);
    // The coordinator may not open the audit log.
    expect((await coordinator.get('/console/audit')).statusCode).toBe(403);
    const secretariat = await loggedIn('Network Secretariat', 'KZ', 'admin');
    const audit = await secretariat.get('/console/audit?action=contact.*');
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('contact:kz-001');
    const verified = await secretariat.post('/console/audit/verify', {});
    expect(verified.body).toMatch(/The audit log is intact: [\d,]+ entries verified\./);
  });
});

describe('a formal request’s page', () => {
  it('shows every nudge and answer on a timeline, and the next nudge', async () => {
    const coordinator = await loggedIn('Saule Tracker', 'KZ', 'coordinator');
    const page = await coordinator.get('/console/requests/statsreq2222');
    expect(page.statusCode).toBe(200);
    const timeline = /<ol class="timeline" id="request-timeline">[\s\S]*?<\/ol>/.exec(page.body)?.[0] ?? '';
    expect(timeline).toMatch(/nudge delivered[\s\S]*answer[\s\S]*acknowledged[\s\S]*answer[\s\S]*executed/);
    expect(page.body).toContain('Next nudge');
    // The list links each request to its page.
    const list = await coordinator.get('/console/requests');
    expect(list.body).toContain('href="/console/requests/statsreq2222"');
    // Another pair's request is not Kazakhstan's to see.
    expect((await coordinator.get('/console/requests/statsreq5555')).statusCode).toBe(404);
  });

  it('changes the status for those the API allows, and refuses the receiving side', async () => {
    const coordinator = await loggedIn('Saule Closer', 'KZ', 'coordinator');
    const changed = await coordinator.post('/console/requests/statsreq3333/status', { status: 'executed' });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('The status is now &quot;executed&quot;.');
    expect(changed.body).toMatch(
      /status changed<\/span>\s*<span class="detail">acknowledged → executed<\/span>/,
    );
    const api = await app.inject({ method: 'GET', url: '/v1/requests/statsreq3333', headers: admin() });
    expect(api.json<{ status: string }>().status).toBe('executed');
    // A Kyrgyz coordinator sees the request to Kyrgyzstan but may not change its status: no form, and
    // the server refuses the write.
    const kyrgyz = await loggedIn('Kyrgyz Receiver', 'KG', 'coordinator');
    const seen = await kyrgyz.get('/console/requests/statsreq4444');
    expect(seen.statusCode).toBe(200);
    expect(seen.body).not.toContain('/console/requests/statsreq4444/status');
    const refused = await kyrgyz.post('/console/requests/statsreq4444/status', { status: 'executed' });
    expect(refused.statusCode).toBe(403);
    const unknown = await coordinator.post('/console/requests/statsreq4444/status', { status: 'lost' });
    expect(unknown.statusCode).toBe(400);
    const after = await app.inject({ method: 'GET', url: '/v1/requests/statsreq4444', headers: admin() });
    expect(after.json<{ status: string }>().status).toBe('acknowledged');
  });

  it('pages through many requests, 50 at a time', async () => {
    const { db } = test.database.handle;
    const requester = (
      await app.inject({
        method: 'POST',
        url: '/v1/members',
        headers: admin(),
        payload: { name: 'Busy Requester', country: 'TJ', role: 'member' },
      })
    ).json<{ id: string }>().id;
    const sentAt = new Date(clock.now().getTime() - 3 * 86_400_000);
    await db.insert(formalRequests).values(
      Array.from({ length: 60 }, (_, index) => ({
        // Request ids avoid 0 and 1 (and l, o): their alphabet is unambiguous.
        id: `pagereq${String(index)
          .padStart(5, '0')
          .replace(/[01]/g, (digit) => (digit === '0' ? 'a' : 'b'))}`,
        type: 'mla',
        requesterMemberId: requester,
        fromCountry: 'TJ',
        toCountry: 'UZ',
        ourReference: `TJ-PAGE-${index}`,
        subject: 'Paging',
        sentAt,
        status: 'sent' as const,
        createdAt: sentAt,
        updatedAt: sentAt,
      })),
    );
    const secretariat = await loggedIn('Paging Secretariat', 'KZ', 'admin');
    const first = await secretariat.get('/console/requests?from=TJ');
    expect(first.body).toContain('60 requests');
    expect(first.body.match(/href="\/console\/requests\/pagereq/g)?.length).toBe(50);
    expect(first.body).toContain('href="/console/requests?from=TJ&amp;page=2"');
    const second = await secretariat.get('/console/requests?from=TJ&page=2');
    expect(second.body.match(/href="\/console\/requests\/pagereq/g)?.length).toBe(10);
  });
});

describe('keeping the registry true from the contact page (issue #14)', () => {
  it('a coordinator sends a re-verification prompt, approves a contact’s own proposal, and retires a contact with a successor', async () => {
    const coordinator = await loggedIn('Saule Keeper', 'KZ', 'coordinator');
    const page = await coordinator.get('/console/registry/contacts/kz-002');
    expect(page.body).toContain('hx-post="/console/registry/contacts/kz-002/reverify"');
    expect(page.body).toContain('hx-post="/console/registry/contacts/kz-002/retire"');
    const prompted = await coordinator.post('/console/registry/contacts/kz-002/reverify', {});
    expect(prompted.statusCode).toBe(200);
    expect(prompted.body).toContain('The re-verification prompt was sent.');

    // The person behind kz-002 proposes a new title; the coordinator approves it on the page.
    const person = (
      await app.inject({
        method: 'POST',
        url: '/v1/members',
        headers: admin(),
        payload: { name: 'Madina Herself', country: 'KZ', role: 'member', contactId: 'kz-002' },
      })
    ).json<{ id: string }>().id;
    const token = await createToken(test, person);
    const proposed = await app.inject({
      method: 'POST',
      url: '/v1/proposals',
      headers: { authorization: `Bearer ${token}` },
      payload: { contactId: 'kz-002', changes: { title: 'Head of the MLA unit' } },
    });
    expect(proposed.statusCode, proposed.body).toBeLessThan(300);
    const withProposal = await coordinator.get('/console/registry/contacts/kz-002');
    const approve = /hx-post="(\/console\/registry\/contacts\/kz-002\/proposals\/[^"]+\/approve)"/.exec(
      withProposal.body,
    )?.[1];
    expect(approve).toBeDefined();
    const approved = await coordinator.post(approve ?? '', {});
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toContain('The proposal was approved and applied.');
    expect((await contact('kz-002')).title).toBe('Head of the MLA unit');

    // Retiring kz-003 hands its work to kz-001.
    const retired = await coordinator.post('/console/registry/contacts/kz-003/retire', {
      successorId: 'kz-001',
    });
    expect(retired.statusCode).toBe(200);
    expect(retired.body).toContain('The contact was retired and their work handed over.');
    expect((await contact('kz-003')).status).toBe('retired');

    // Another country's contact: refused, page and server alike.
    const outsider = await coordinator.post('/console/registry/contacts/kg-001/reverify', {});
    expect(outsider.statusCode).toBe(403);
    const retireOutside = await coordinator.post('/console/registry/contacts/kg-001/retire', {});
    expect(retireOutside.statusCode).toBe(403);
    expect((await contact('kg-001')).status).toBe('active');
  });

  it('a coordinator who sets the status to retired in the contact form hands the work over, as the retire action does', async () => {
    const coordinator = await loggedIn('Saule Steward', 'KZ', 'coordinator');
    const asker = (
      await app.inject({
        method: 'POST',
        url: '/v1/members',
        headers: admin(),
        payload: { name: 'Uzbek Asker', country: 'UZ', role: 'member' },
      })
    ).json<{ id: string }>().id;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/requests',
      headers: { authorization: `Bearer ${await createToken(test, asker)}` },
      payload: {
        type: 'digital_evidence',
        toCountry: 'KZ',
        contactId: 'kz-004',
        ourReference: 'UZ-DE-4',
        subject: 'Preservation of server logs',
        sentAt: clock.now().toISOString(),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const requestId = created.json<{ id: string }>().id;

    const saved = await coordinator.post('/console/registry/contacts/kz-004', {
      ...formOf(await contact('kz-004')),
      status: 'retired',
      deputy: 'kz-001',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain('The contact was retired and their work handed over.');
    expect(await contact('kz-004')).toMatchObject({ status: 'retired', deputy: 'kz-001' });
    const moved = await app.inject({ method: 'GET', url: `/v1/requests/${requestId}`, headers: admin() });
    expect(moved.json<{ contactId: string }>().contactId).toBe('kz-001');
    await test.application.audit.flush();
    const audited = await test.application.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subject, 'contact:kz-004'));
    expect(audited.map((entry) => entry.action)).toContain('contact.retire');
    const handedOver = await test.application.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subject, `request:${requestId}`));
    expect(handedOver.map((entry) => entry.action)).toContain('request.handover');
  });
});

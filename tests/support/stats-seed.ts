// Requests and consultations with known answer times, for the statistics and the analytics page:
// Kazakhstan -> Kyrgyzstan MLA requests acknowledged after 1, 2 and 3 days (one executed after 4),
// one Kyrgyzstan -> Uzbekistan request acknowledged after 10 days, and two extradition
// consultations Kazakhstan -> Kyrgyzstan first answered after 2 and 4 hours. Written straight into
// the tables (the owners' schemas), since these answers would otherwise take days to happen.
import { consultations } from '../../src/consultations/consultations-schema.ts';
import { formalRequests, requestEvents } from '../../src/requests/requests-schema.ts';
import type { TestApp } from './test-app.ts';

// Seeded against the application's clock, not the machine's: a test that pins the date to the demo
// day would otherwise see answers seeded days after its "now" once the real date moves on.
export async function seedAnswerTimes(test: TestApp, now = test.clock.now().getTime()): Promise<void> {
  const app = test.application.app;
  const admin = () => ({ authorization: `Bearer ${test.adminToken}` });
  const day = 86_400_000;
  const hour = 3_600_000;
  const { db } = test.database.handle;
  const requester = (
    await app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: admin(),
      payload: { name: 'Seeded Requester', country: 'KZ', role: 'member' },
    })
  ).json<{ id: string }>().id;
  // Three MLA requests Kazakhstan -> Kyrgyzstan acknowledged after 1, 2 and 3 days (one executed
  // after 4 days), and one Kyrgyzstan -> Uzbekistan acknowledged after 10 days: not Kazakhstan's.
  const seeded = [
    { id: 'statsreq2222', from: 'KZ', to: 'KG', ack: 1, executed: 4 },
    { id: 'statsreq3333', from: 'KZ', to: 'KG', ack: 2 },
    { id: 'statsreq4444', from: 'KZ', to: 'KG', ack: 3 },
    { id: 'statsreq5555', from: 'KG', to: 'UZ', ack: 10 },
  ];
  for (const [index, request] of seeded.entries()) {
    const sentAt = new Date(now - (20 + index) * day);
    await db.insert(formalRequests).values({
      id: request.id,
      type: 'mla',
      requesterMemberId: requester,
      fromCountry: request.from,
      toCountry: request.to,
      ourReference: `REF-${index}`,
      subject: 'Seeded for statistics',
      sentAt,
      status: request.executed === undefined ? 'acknowledged' : 'executed',
      createdAt: sentAt,
      updatedAt: sentAt,
    });
    await db.insert(requestEvents).values([
      {
        requestId: request.id,
        at: new Date(sentAt.getTime() + day / 2),
        kind: 'nudge_delivered',
        actor: 'system',
        details: {},
      },
      {
        requestId: request.id,
        at: new Date(sentAt.getTime() + request.ack * day),
        kind: 'answer',
        actor: 'contact:x',
        details: { answer: 'acknowledged' },
      },
      ...(request.executed === undefined
        ? []
        : [
            {
              requestId: request.id,
              at: new Date(sentAt.getTime() + request.executed * day),
              kind: 'answer' as const,
              actor: 'contact:x',
              details: { answer: 'executed' },
            },
          ]),
    ]);
  }
  // Two extradition consultations Kazakhstan -> Kyrgyzstan answered after 2 and 4 hours.
  for (const [index, hours] of [2, 4].entries()) {
    const createdAt = new Date(now - (5 + index) * day);
    await db.insert(consultations).values({
      id: `stats-consultation-${index}`,
      askerMemberId: requester,
      askerCountry: 'KZ',
      country: 'KG',
      competence: 'extradition',
      status: 'closed',
      origin: 'api',
      descriptionLength: 10,
      createdAt,
      firstAnswerAt: new Date(createdAt.getTime() + hours * hour),
      updatedAt: createdAt,
    });
  }
}

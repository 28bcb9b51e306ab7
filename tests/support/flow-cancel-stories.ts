// `/cancel` half-way through every guided conversation declared with the flow engine (`defineFlow`
// in src), on every messenger: the Telegram Bot API emulator, the Matrix test homeserver (a real
// matrix-js-sdk member in an encrypted DM, numbered choices) and the web console (its HTTP API and
// its event stream). Each story reaches the middle of one flow the way a person does (a command, a
// re-verification prompt's button, a consultation pushed to them, a request's card, a question from
// the secretariat), cancels it with their own word (`/отмена`, `!cancel`, `!отмена`, `/cancel`) and
// checks that nothing is left: no flow row, no proposal, request, consultation or push for anyone,
// the confirmation in their language, and the next question answered as a question. Each
// messenger's stories run in a file of their own (tests/flow-cancel-<messenger>.test.ts), on an
// application of their own, so they run in parallel. A new flow gets a story here.
import { hangDeadlineMs } from './hang-deadline.ts';
import { sql } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createToken } from './chat-fixtures.ts';
import { api, telegramPerson } from './consultation-helpers.ts';
import { body, startMatrixBotFixture, type MatrixBotFixture } from './matrix-bot-fixture.ts';
import { openSse, type SseConnection } from './sse-reader.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './telegram-emulator.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { sessionCookie, webConsoleClient } from './web-console-client.ts';

type Locale = 'en' | 'ru';
export type MessengerName = 'telegram' | 'matrix' | 'web';

/** What the bot said: its text and the labels of the choices it offered. */
interface Said {
  text: string;
  labels: string[];
  /** Picks the choice with this label the way the messenger does (a tap, a number, a click). */
  choose(label: string): Promise<Said>;
}

/** Who speaks: a member behind a registry contact, or an admin of no country (the secretariat). */
interface Person {
  name: string;
  country: string | null;
  role: 'member' | 'admin';
  contactId?: string;
  locale: Locale;
}

/** A person on one messenger. */
interface Speaker extends Person {
  messenger: MessengerName;
  memberId: string;
  token: string;
  /** The messenger's command sign. */
  prefix: '/' | '!';
  /** The word this person cancels with. */
  cancel: string;
  say(text: string): Promise<Said>;
  /** Does `trigger` (an API call) and waits for the push it causes: the first one `wanted` accepts. */
  pushed(trigger: () => Promise<unknown>, wanted: (said: Said) => boolean): Promise<Said>;
}

let emulator: TelegramEmulator;
let fixture: MatrixBotFixture | undefined;
let testApp: TestApp;
let web: ReturnType<typeof webConsoleClient>;
const speakers = {} as Record<MessengerName, { contact: Speaker; secretariat: Speaker }>;
const streams: SseConnection[] = [];

const deadline = hangDeadlineMs;

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  const end = Date.now() + deadline;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Picks by exact label, else by the start of a label (a request's button carries its country too). */
const labelIndex = (labels: readonly string[], label: string): number => {
  const exact = labels.indexOf(label);
  const index = exact === -1 ? labels.findIndex((candidate) => candidate.startsWith(label)) : exact;
  if (index === -1) throw new Error(`no choice "${label}" among ${JSON.stringify(labels)}`);
  return index;
};

const cancelWord = (prefix: string, locale: Locale) => `${prefix}${locale === 'ru' ? 'отмена' : 'cancel'}`;

async function telegramSpeaker(person: Person): Promise<Speaker> {
  const linked = await telegramPerson(testApp, emulator, person);
  const seen = () => emulator.sentMessages(linked.chat).length;
  const said = (message: Message): Said => {
    const buttons = emulator
      .buttons(message)
      .flatMap((button) => ('callback_data' in button ? [button] : []));
    const labels = buttons.map((button) => button.text);
    return {
      text: message.text ?? '',
      labels,
      async choose(label) {
        const before = seen();
        emulator.pressButton(linked.user, message, buttons[labelIndex(labels, label)]!.callback_data);
        return said((await emulator.waitForMessages(linked.chat, before + 1, deadline))[before]!);
      },
    };
  };
  return {
    ...person,
    messenger: 'telegram',
    memberId: linked.member.id,
    token: linked.token,
    prefix: '/',
    cancel: cancelWord('/', person.locale),
    async say(text) {
      const before = seen();
      emulator.sendUserMessage(linked.user, linked.chat, text);
      return said((await emulator.waitForMessages(linked.chat, before + 1, deadline))[before]!);
    },
    async pushed(trigger, wanted) {
      const before = seen();
      await trigger();
      return until(() => emulator.sentMessages(linked.chat).slice(before).map(said).find(wanted), 'a push');
    },
  };
}

async function matrixSpeaker(localpart: string, person: Person): Promise<Speaker> {
  const { user, dm, memberId } = await fixture!.linkedMember(localpart, person.name, person.country, {
    locale: person.locale,
    role: person.role,
    ...(person.contactId === undefined ? {} : { contactId: person.contactId }),
  });
  const seen = () => fixture!.botMessages(user, dm).length;
  /** "1. Label" lines: Matrix shows a message's buttons as numbered choices answered by number. */
  const said = (text: string): Said => {
    const labels = [...text.matchAll(/^\d+\. (.+)$/gm)].map((match) => match[1] ?? '');
    return { text, labels, choose: (label) => speaker.say(String(labelIndex(labels, label) + 1)) };
  };
  const speaker: Speaker = {
    ...person,
    messenger: 'matrix',
    memberId,
    token: await createToken(testApp, memberId),
    prefix: '!',
    cancel: cancelWord('!', person.locale),
    async say(text) {
      const before = seen();
      await user.client.sendTextMessage(dm, text);
      return said(body(await fixture!.nextFromBot(user, dm, before, deadline)));
    },
    async pushed(trigger, wanted) {
      const before = seen();
      await trigger();
      return until(
        () =>
          fixture!
            .botMessages(user, dm)
            .slice(before)
            .map((message) => said(body(message)))
            .find(wanted),
        'a push',
      );
    },
  };
  return speaker;
}

async function webSpeaker(person: Person): Promise<Speaker> {
  const member = await createMember(testApp, person);
  const login = await web.login({ code: await web.inviteFor(member.id) });
  expect(login.statusCode).toBe(200);
  const secret = login.cookies.find((cookie) => cookie.name === sessionCookie)!.value;
  const session = { memberId: member.id, secret };
  // The page's event stream: pushes (a re-verification prompt) arrive here, with their buttons.
  const stream = await openSse(`${await web.baseUrl()}/console/events`, {
    cookie: `${sessionCookie}=${secret}`,
  });
  streams.push(stream);
  await stream.next('ready');
  interface Shown {
    text: string;
    buttons?: { label: string; action: string }[];
  }
  const said = (message: Shown): Said => {
    const buttons = message.buttons ?? [];
    const labels = buttons.map((button) => button.label);
    return {
      text: message.text,
      labels,
      choose: async (label) =>
        said(
          (
            await web.say(session, {
              action: buttons[labelIndex(labels, label)]!.action,
              locale: person.locale,
            })
          )[0]!,
        ),
    };
  };
  return {
    ...person,
    messenger: 'web',
    memberId: member.id,
    token: await createToken(testApp, member.id),
    prefix: '/',
    cancel: cancelWord('/', person.locale),
    say: async (text) => said((await web.say(session, { text, locale: person.locale }))[0]!),
    async pushed(trigger, wanted) {
      await trigger();
      for (;;) {
        const shown = said(JSON.parse((await stream.next('push', deadline)).data) as Shown);
        if (wanted(shown)) return shown;
      }
    },
  };
}

/** Counterparts for consultations: people behind Kazakh contacts, in the web console. */
const counterparts: { contactId: string; competence: string; token: string }[] = [];
/** Asks for consultations through the API only. */
let asker: string;

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return [...((await testApp.database.handle.db.execute(query)) as Iterable<T>)];
}

const flowOf = async (memberId: string) =>
  rows<{ flow: string; step: string }>(
    sql`select flow, step from conversation_flows where member_id = ${memberId}`,
  );

/** Everything a flow could have set going, for anyone: it must be the same after a cancel. */
const footprint = async (contactId: string | undefined) =>
  (
    await rows<Record<string, number | string | null>>(sql`select
      (select count(*)::int from registry_proposals) as proposals,
      (select count(*)::int from formal_requests) as requests,
      (select count(*)::int from formal_requests where their_reference is not null) as "theirReferences",
      (select count(*)::int from request_events) as "requestEvents",
      (select string_agg(status, ',' order by number) from consultations) as consultations,
      (select string_agg(outcome, ',' order by consultation_id, seq) from consultation_routes) as routes,
      (select count(*)::int from consultation_messages) as "consultationMessages",
      (select count(*)::int from outbox) as pushes,
      (select md5(to_jsonb(c)::text) from contacts c where c.id = ${contactId ?? null}) as contact`)
  )[0];

const label = (speaker: Speaker, id: string) => testApp.application.translator.t(speaker.locale, id);

const reverify = async (contactId: string | undefined) => {
  const response = await api(testApp, testApp.adminToken, 'POST', `/v1/contacts/${contactId ?? ''}/reverify`);
  expect(response.status).toBeLessThan(300);
};

/** A re-verification of the speaker's own record, as it reaches their messenger. */
const prompt = (speaker: Speaker) =>
  speaker.pushed(
    () => reverify(speaker.contactId),
    (said) => said.labels.includes(label(speaker, 'truth-button-changed')),
  );

/** A consultation asked of `contactId` through the API, waiting for its counterpart's answer. */
async function consultation(token: string, country: string, competence: string, contactId: string) {
  const started = await api<{ ref: string }>(testApp, token, 'POST', '/v1/consultations', {
    country,
    competence,
    contactId,
    description: 'Do you accept requests in Russian?',
  });
  expect(started.status).toBe(201);
  return started.body.ref;
}

/** An ordinary question after the cancel, and what its answer names. */
const question: Record<Locale, { text: string; answerNames: string }> = {
  en: { text: 'who handles extradition in Kazakhstan', answerNames: 'Kazakhstan' },
  ru: { text: 'кто занимается экстрадицией в Казахстане', answerNames: 'Казахстан' },
};

/** What a story set up before the flow: the message the flow starts from, the consultations. */
interface Start {
  said?: Said;
  refs?: string[];
}

interface FlowStory {
  flow: string;
  /** The step the person is at when they cancel. */
  step: string;
  who: 'contact' | 'secretariat';
  /** What the person has before the flow starts (a prompt, a request, consultations). */
  before(speaker: Speaker): Promise<Start>;
  /** From there to the middle of the flow. */
  enter(speaker: Speaker, start: Start): Promise<Said>;
  cancelled: Record<Locale, string>;
  /** Put away what `before` set up, once the cancel is checked. */
  after?(speaker: Speaker, start: Start): Promise<void>;
  /** What the next question needs before it is answered (the secretariat names its country). */
  toAnswer?(speaker: Speaker, reply: Said): Promise<Said>;
}

let requestsRegistered = 0;

const stories: FlowStory[] = [
  {
    flow: 'request-new',
    step: 'country',
    who: 'contact',
    before: () => Promise.resolve({}),
    async enter(speaker) {
      const type = await speaker.say(`${speaker.prefix}newrequest`);
      return type.choose(type.labels[0]!);
    },
    cancelled: { en: 'Registration cancelled.', ru: 'Регистрация отменена.' },
  },
  {
    flow: 'consultation-start',
    step: 'description',
    who: 'contact',
    before: () => Promise.resolve({}),
    async enter(speaker) {
      const sensitivity = await speaker.say(`${speaker.prefix}consult KZ extradition`);
      return sensitivity.choose(label(speaker, 'consult-sensitive-no'));
    },
    cancelled: {
      en: 'Consultation not started. Nothing was sent.',
      ru: 'Консультация не начата. Ничего не отправлено.',
    },
  },
  {
    flow: 'draft',
    step: 'competence',
    who: 'contact',
    before: () => Promise.resolve({}),
    async enter(speaker) {
      const country = await speaker.say(`${speaker.prefix}draft`);
      return country.choose(country.labels[0]!);
    },
    cancelled: {
      en: 'Cancelled. Nothing of the draft was kept.',
      ru: 'Отменено. Ничего из черновика не сохранено.',
    },
  },
  {
    flow: 'truth-change',
    step: 'value',
    who: 'contact',
    before: async (speaker) => ({ said: await prompt(speaker) }),
    async enter(speaker, { said }) {
      const which = await said!.choose(label(speaker, 'truth-button-changed'));
      // A job title takes any text: a question swallowed here would become a proposal.
      return which.choose(label(speaker, 'truth-change-field-title'));
    },
    cancelled: {
      en: 'Cancelled updating your entry. Nothing was sent.',
      ru: 'Отменено (обновление вашей записи). Ничего не отправлено.',
    },
  },
  {
    flow: 'truth-gone',
    step: 'successor',
    who: 'contact',
    before: async (speaker) => ({ said: await prompt(speaker) }),
    enter: (speaker, { said }) => said!.choose(label(speaker, 'truth-button-gone')),
    cancelled: {
      en: 'Cancelled handing over your work. Nothing was sent.',
      ru: 'Отменено (передача ваших дел). Ничего не отправлено.',
    },
  },
  {
    flow: 'truth-away',
    step: 'deputy',
    who: 'contact',
    before: () => Promise.resolve({}),
    async enter(speaker) {
      const from = await speaker.say(`${speaker.prefix}${speaker.locale === 'ru' ? 'отсутствую' : 'away'}`);
      const until = await from.choose(label(speaker, 'truth-away-from-today'));
      return until.choose(label(speaker, 'truth-away-days-7'));
    },
    cancelled: {
      en: 'Cancelled recording an absence. Nothing was sent.',
      ru: 'Отменено (запись об отсутствии). Ничего не отправлено.',
    },
  },
  {
    flow: 'request-their-reference',
    step: 'reference',
    who: 'contact',
    async before(speaker) {
      requestsRegistered += 1;
      const ourReference = `UZ-MLA-2026/${String(900 + requestsRegistered)}`;
      const registered = await api(testApp, speaker.token, 'POST', '/v1/requests', {
        type: 'mla',
        toCountry: 'KG',
        ourReference,
        subject: 'Bank records of a shell company',
        sentAt: new Date().toISOString(),
      });
      expect(registered.status).toBe(201);
      const list = await speaker.say(`${speaker.prefix}requests`);
      return { said: await list.choose(ourReference) };
    },
    enter: (speaker, { said }) => said!.choose(label(speaker, 'requests-button-their-reference')),
    cancelled: {
      en: 'Cancelled adding their reference. Nothing was sent.',
      ru: 'Отменено (указание их номера). Ничего не отправлено.',
    },
  },
  {
    flow: 'consultation-decline',
    step: 'reason',
    who: 'contact',
    async before(speaker) {
      const competence = testApp.application.registry.snapshot().contactById.get(speaker.contactId ?? '')!
        .competences[0]!;
      let ref = '';
      const said = await speaker.pushed(
        async () => {
          ref = await consultation(asker, 'UZ', competence, speaker.contactId!);
        },
        (pushed) => pushed.labels.includes(label(speaker, 'consult-button-decline')),
      );
      expect(said.text).toContain(ref);
      return { said, refs: [ref] };
    },
    enter: (speaker, { said }) => said!.choose(label(speaker, 'consult-button-decline')),
    cancelled: {
      en: 'Not declined: the consultation still waits for your answer.',
      ru: 'Отказ не отправлен: консультация по-прежнему ждёт вашего ответа.',
    },
    async after(speaker, { refs }) {
      // Withdrawn by the asker: the counterpart is told, and nothing waits on them any more.
      await speaker.pushed(
        () => api(testApp, asker, 'POST', `/v1/consultations/${refs![0]!}/close`),
        (pushed) => pushed.text.includes(refs![0]!),
      );
    },
  },
  {
    flow: 'consultation-choose',
    step: 'to',
    who: 'contact',
    async before(speaker) {
      const refs: string[] = [];
      for (const counterpart of counterparts) {
        let ref = '';
        // "On its way", then "accepted": pushes to one person arrive in the order written.
        await speaker.pushed(
          async () => {
            ref = await consultation(speaker.token, 'KZ', counterpart.competence, counterpart.contactId);
          },
          (pushed) => pushed.text.includes(ref),
        );
        await speaker.pushed(
          () => api(testApp, counterpart.token, 'POST', `/v1/consultations/${ref}/accept`),
          (pushed) => pushed.text.includes(ref),
        );
        refs.push(ref);
      }
      return { refs };
    },
    // A message with two consultations open: which one is it for?
    enter: (speaker) => speaker.say('the hearing is on Monday'),
    cancelled: {
      en: 'Cancelled the choice of consultation. Nothing was sent.',
      ru: 'Отменено (выбор консультации). Ничего не отправлено.',
    },
    async after(speaker, { refs }) {
      // Closed: the next text is no longer a message for a consultation.
      for (const ref of refs!)
        await speaker.pushed(
          () => api(testApp, speaker.token, 'POST', `/v1/consultations/${ref}/close`),
          (pushed) => pushed.text.includes(ref),
        );
    },
  },
  {
    flow: 'ask-country',
    step: 'country',
    who: 'secretariat',
    before: () => Promise.resolve({}),
    enter: (speaker) => speaker.say(question[speaker.locale].text),
    cancelled: { en: 'Cancelled. The question was not asked.', ru: 'Отменено. Вопрос не задан.' },
    // The secretariat is asked its country before every question: the cancelled one is not held.
    toAnswer: async (speaker, reply) => {
      expect(reply.text).toContain(label(speaker, 'chat-ask-country-prompt'));
      return speaker.say('KZ');
    },
  },
];

/**
 * The stories of one messenger, on an application of their own (its own database and Redis
 * prefix, named after the messenger), so that vitest runs the three messengers' files in parallel.
 */
export function cancellingHalfWayOn(messenger: MessengerName): void {
  beforeAll(async () => {
    // Conversations, not Telegram's allowance: the per-chat limit is lifted (telegram-emulator.ts).
    emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
    const label = `flow_cancel_${messenger}`;
    const env = {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      // One person talks through every flow in well under a minute: more than the 30 messages a
      // minute the bot allows a member by default (tests/chat-engine.test.ts checks that limit).
      CHAT_RATE_LIMIT_PER_MINUTE: '600',
    };
    if (messenger === 'matrix') {
      fixture = await startMatrixBotFixture(label, {
        env,
        // The Matrix members type through every flow in a row, a few dozen messages in a minute:
        // more than Synapse's default burst for one person. The limit stays on, as a more generous
        // server would set it; how the bot meets rate limits is tests/matrix-rate-limit.test.ts.
        homeserverOptions: { messageRateLimit: { perSecond: 5, burstCount: 30 } },
      });
      testApp = fixture.testApp;
    } else {
      testApp = await startTestApp(label, { env });
    }
    web = webConsoleClient(testApp.application.app, testApp.adminToken);
    // Contacts of one authority (colleagues to deputise or take over), verified recently: no prompt
    // arrives unless a story asks for one.
    const contact = (name: string, contactId: string, locale: Locale): Person => ({
      name,
      country: 'UZ',
      role: 'member',
      contactId,
      locale,
    });
    const secretariat = (name: string, locale: Locale): Person => ({
      name,
      country: null,
      role: 'admin',
      locale,
    });
    if (messenger === 'telegram')
      speakers.telegram = {
        contact: await telegramSpeaker(contact('Rustam Telegram', 'uz-001', 'ru')),
        secretariat: await telegramSpeaker(secretariat('Sophie Telegram', 'en')),
      };
    if (messenger === 'matrix')
      speakers.matrix = {
        contact: await matrixSpeaker('marat', contact('Marat Matrix', 'uz-002', 'en')),
        secretariat: await matrixSpeaker('sabina', secretariat('Сабина Матрикс', 'ru')),
      };
    if (messenger === 'web')
      speakers.web = {
        contact: await webSpeaker(contact('Vera Console', 'uz-003', 'en')),
        secretariat: await webSpeaker(secretariat('Вера Секретариат', 'ru')),
      };
    for (const [contactId, competence] of [
      ['kz-001', 'extradition'],
      ['kz-002', 'mla'],
    ] as const) {
      const member = await web.loggedInMember(`Counterpart ${contactId}`, 'KZ', contactId);
      counterparts.push({ contactId, competence, token: await createToken(testApp, member.memberId) });
    }
    asker = await createToken(testApp, (await web.loggedInMember('Asker Console', 'KZ')).memberId);
  }, 120_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    if (fixture === undefined) await testApp.close();
    else await fixture.close();
    await emulator.close();
  });

  describe(`cancelling half-way on ${messenger}`, () => {
    it.each(stories)('$flow, cancelled at its "$step" step, leaves nothing behind', async (story) => {
      const speaker = speakers[messenger][story.who];
      const start = await story.before(speaker);
      const before = await footprint(speaker.contactId);

      await story.enter(speaker, start);
      expect(await flowOf(speaker.memberId)).toEqual([{ flow: story.flow, step: story.step }]);

      const cancelled = await speaker.say(speaker.cancel);
      expect(cancelled.text).toBe(story.cancelled[speaker.locale]);
      expect(await flowOf(speaker.memberId)).toEqual([]);
      expect(await footprint(speaker.contactId)).toEqual(before);

      await story.after?.(speaker, start);
      const settled = await footprint(speaker.contactId);
      // The next text is a question again, not an answer to the cancelled step.
      const { text, answerNames } = question[speaker.locale];
      const reply = await speaker.say(text);
      const answer = story.toAnswer === undefined ? reply : await story.toAnswer(speaker, reply);
      expect(answer.text).toContain(answerNames);
      expect(await flowOf(speaker.memberId)).toEqual([]);
      expect(await footprint(speaker.contactId)).toEqual(settled);
    });
  });
}

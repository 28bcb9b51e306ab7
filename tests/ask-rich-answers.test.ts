// The answer as data, and each messenger's rendering of it: a card per contact with its channels as
// links, the rest collapsed behind "show all", the same content in Telegram HTML (parsed by the
// emulator's copy of Telegram's parser) and Matrix HTML, and registry text with <, & and quotes
// never turning into markup anywhere (fast-check).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReply } from '../bots/matrix/matrix-render.ts';
import { richToMatrixHtml } from '../bots/matrix/matrix-rich.ts';
import { renderRichForTelegram } from '../bots/telegram/telegram-rich.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import { createAskService } from '../src/ask/index.ts';
import {
  richToPlainText,
  sharedMessageLimits,
  unknownMessengerCapabilities,
  type Card,
  type RichBlock,
  type RichContent,
} from '../src/chat/index.ts';
import { messengerAdapters } from '../bots/index.ts';
import { createTranslator } from '../src/i18n/i18n.ts';
import type { Principal } from '../src/access/index.ts';
import { parseHtml } from './support/telegram-emulator/html-parser.ts';
import {
  demoPracticalReader,
  demoRegistryFile,
  snapshotFromRegistryFile,
} from './support/registry-snapshot.ts';
import { buildMessageLimits } from './support/message-limits.ts';

const translator = createTranslator();
const demoDay = new Date('2026-12-01T06:00:00Z');
const kazakhProsecutor: Principal = {
  memberId: 'm-kz',
  name: 'Asel',
  role: 'member',
  country: 'KZ',
  contactId: null,
  locale: null,
};
/** Registry text that would be markup if anything forgot to escape it. */
const hostileName = `<b>O'Brien & "Sons"</b>`;

type FileContact = Record<string, unknown> & { id: string; name: unknown };

/** The demo registry with six more extradition contacts in Kyrgyzstan, one with a hostile name. */
function crowdedKyrgyzstan() {
  const file = JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as { contacts: FileContact[] };
  const model = file.contacts.find((contact) => contact.id === 'kg-001');
  if (model === undefined) throw new Error('kg-001 missing');
  for (let index = 1; index <= 6; index++)
    file.contacts.push({
      ...model,
      id: `kg-x0${String(index)}`,
      name:
        index === 6
          ? { en: hostileName, ru: hostileName }
          : { en: `Extra Prosecutor ${String(index)}`, ru: `Доп. прокурор ${String(index)}` },
      channels: {
        telegram: `extra_${String(index)}_demo`,
        email: `extra${String(index)}@kg-gpo.example.org`,
      },
    });
  return snapshotFromRegistryFile(file as unknown as Parameters<typeof snapshotFromRegistryFile>[0]);
}

function service(snapshot = crowdedKyrgyzstan(), limits = buildMessageLimits) {
  return createAskService({
    limits,
    workingTime: createWorkingTime({ holidays: createHolidayCalendar() }),
    registry: { snapshot: () => snapshot },
    translator,
    audit: { enqueue: () => undefined },
    practical: demoPracticalReader(demoDay),
    clock: { now: () => demoDay },
  });
}

const cardsOf = (content: RichContent | undefined): Card[] =>
  (content?.blocks ?? []).flatMap((block) => (block.kind === 'card' ? [block.card] : []));
const moreOf = (content: RichContent | undefined) =>
  (content?.blocks ?? []).find(
    (block): block is Extract<RichBlock, { kind: 'more' }> => block.kind === 'more',
  );
const hrefs = (card: Card): string[] =>
  card.lines.flatMap((line) =>
    line.inlines.flatMap((inline) => (inline.href === undefined ? [] : [inline.href])),
  );

describe('an answer as data', () => {
  it('a Russian-speaking member asks about extradition in Uzbekistan and gets a Russian card whose channels are tel:, mailto:, t.me and matrix.to links', async () => {
    const answer = await service().ask({
      principal: kazakhProsecutor,
      text: 'кто занимается экстрадицией в Узбекистане',
    });
    const rich = answer.reply.rich;
    const [card] = cardsOf(rich);
    expect(card).toMatchObject({
      position: 1,
      name: 'Сардор Демо-Юсупов',
      title: 'Начальник отдела экстрадиции, Международно-правовое управление',
    });
    expect(hrefs(card!)).toEqual([
      'https://t.me/sardor_demo',
      'https://matrix.to/#/@sardor:casc.example',
      'mailto:demo-yusupov@uz-gpo.example.org',
      'tel:+00001877322',
    ]);
    // The plain text is the same content, drawn from the same data.
    expect(answer.reply.text).toBe(richToPlainText(rich!));
    expect(answer.reply.text).toContain('Эл. почта: demo-yusupov@uz-gpo.example.org');
  });

  it('a long list shows five cards and folds the rest behind "show all", which then shows every one', async () => {
    const ask = service();
    const answer = await ask.ask({
      principal: kazakhProsecutor,
      text: 'who handles extradition in Kyrgyzstan',
    });
    const shown = cardsOf(answer.reply.rich);
    const more = moreOf(answer.reply.rich);
    expect(shown).toHaveLength(5);
    expect(more?.cards.length).toBeGreaterThanOrEqual(3);
    expect(more?.action).toBe('ask:every:KG:extradition');
    expect(more?.note).toBe(`…and ${String(more?.cards.length)} more.`);
    expect(answer.reply.text).toContain(more!.note);
    expect(answer.reply.buttons.map((button) => button.action)).toContain('ask:every:KG:extradition');
    expect(answer.reply.buttons.at(-1)?.label).toMatch(/^Show all \d+ — Kyrgyzstan$/);

    const all = await ask.handleAction(kazakhProsecutor, 'ask:every:KG:extradition', 'en');
    expect(cardsOf(all?.rich)).toHaveLength(shown.length + more!.cards.length);
    expect(moreOf(all?.rich)).toBeUndefined();
    expect(all?.buttons?.map((button) => button.action)).not.toContain('ask:every:KG:extradition');
  });

  it('answers fit what every messenger of the deployment carries, as their adapters declare it', async () => {
    // This build: Telegram's 4096 characters and 64 bytes of callback data are the smallest.
    expect(buildMessageLimits).toEqual({ maxTextCharacters: 4096 - 205, maxButtonActionBytes: 64 });
    const narrow = {
      capabilities: { ...unknownMessengerCapabilities, maxMessageLength: 640, maxButtonActionBytes: 16 },
    };
    const limits = sharedMessageLimits([...Object.values(messengerAdapters).map((m) => m.messenger), narrow]);
    expect(limits).toEqual({ maxTextCharacters: 640 - 32, maxButtonActionBytes: 16 });
    const answer = await service(crowdedKyrgyzstan(), limits).ask({
      principal: kazakhProsecutor,
      text: 'who handles extradition in Kyrgyzstan',
    });
    // 'ask:every:KG:extradition' is 24 bytes: no button the narrow messenger could not carry.
    expect(answer.reply.buttons.filter((button) => button.action.length > 16)).toEqual([]);
    expect(answer.reply.buttons.map((button) => button.action)).not.toContain('ask:every:KG:extradition');
    expect(answer.reply.text.length).toBeLessThanOrEqual(640 - 32);
    expect(answer.reply.text).toContain(translator.t('en', 'ask-cut-short'));
  });
});

describe('each messenger renders the same data', () => {
  it('Telegram: bold names, tappable links, no indented lines, registry text escaped, pieces within 4096', async () => {
    const answer = await service().ask({
      principal: kazakhProsecutor,
      text: 'who handles extradition in Kyrgyzstan',
    });
    const all = await service().handleAction(kazakhProsecutor, 'ask:every:KG:extradition', 'en');
    for (const message of [answer.reply, all!]) {
      const pieces = renderRichForTelegram(message.rich!);
      const parsed = pieces.map((piece) => parseHtml(piece));
      for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(4096);
      const text = parsed.map((piece) => piece.text).join('\n');
      const links = parsed.flatMap((piece) =>
        piece.entities.flatMap((entity) => (entity.type === 'text_link' ? [entity.url] : [])),
      );
      expect(links).toContain('https://t.me/bakyt_demo');
      expect(links).toContain('mailto:demo-toktogulov@kg-gpo.example.org');
      expect(links).toContain('https://matrix.to/#/@bakyt:casc.example');
      expect(text).toContain('+000 01 300289');
      expect(text.split('\n').filter((line) => line.startsWith(' '))).toEqual([]);
      const bold = parsed.flatMap((piece) =>
        piece.entities
          .filter((entity) => entity.type === 'bold')
          .map((entity) => piece.text.slice(entity.offset, entity.offset + entity.length)),
      );
      expect(bold).toContain('1. Bakyt Demo-Toktogulov');
    }
    const allText = renderRichForTelegram(all!.rich!)
      .map((piece) => parseHtml(piece).text)
      .join('\n');
    expect(allText).toContain(hostileName);
  });

  it('Telegram splits a long answer between cards, never inside one', () => {
    const card = (position: number): RichBlock => ({
      kind: 'card',
      card: {
        position,
        heading: `${String(position)}. Name ${String(position)} — Title`,
        name: `Name ${String(position)}`,
        title: 'Title',
        lines: [{ role: 'channels', inlines: [{ text: 'x'.repeat(300), href: 'https://t.me/someone' }] }],
        away: false,
        stale: false,
        working: true,
      },
    });
    const pieces = renderRichForTelegram({
      blocks: Array.from({ length: 30 }, (_, index) => card(index + 1)),
    });
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4096);
      const parsed = parseHtml(piece);
      expect(parsed.entities.filter((entity) => entity.type === 'text_link')).toHaveLength(
        parsed.entities.filter((entity) => entity.type === 'bold').length,
      );
    }
  });

  it('Matrix: formatted_body with the cards and links, the plain text as body, hostile text escaped', async () => {
    const all = await service().handleAction(kazakhProsecutor, 'ask:every:KG:extradition', 'en');
    const { content } = renderReply(all!, translator, 'en');
    expect(content.body.startsWith(all!.text)).toBe(true);
    expect(content.formatted_body).toContain('<strong>1. Bakyt Demo-Toktogulov</strong>');
    expect(content.formatted_body).toContain('<a href="https://t.me/bakyt_demo">@bakyt_demo</a>');
    expect(content.formatted_body).toContain('<a href="mailto:demo-toktogulov@kg-gpo.example.org">');
    expect(content.formatted_body).not.toContain('tel:');
    expect(content.formatted_body).toContain('&lt;b&gt;O&#39;Brien &amp; &quot;Sons&quot;&lt;/b&gt;');
    expect(content.formatted_body).not.toContain(hostileName);
  });
});

describe('registry text never becomes markup (fast-check)', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const anyCard = fc.record({
    name: text,
    title: text,
    note: text,
    address: text,
  });
  const contentOf = ({
    name,
    title,
    note,
    address,
  }: {
    name: string;
    title: string;
    note: string;
    address: string;
  }): RichContent => ({
    blocks: [
      { kind: 'heading', text: title },
      {
        kind: 'card',
        card: {
          position: 1,
          heading: `1. ${name} — ${title}`,
          name,
          title,
          lines: [
            { role: 'note', inlines: [{ text: note }] },
            {
              role: 'channels',
              inlines: [{ text: 'E-mail: ' }, { text: address, href: `mailto:${address}` }],
            },
          ],
          away: false,
          stale: false,
          working: true,
        },
      },
      { kind: 'more', note, summary: title, cards: [] },
    ],
  });

  it('Telegram: what Telegram parses is exactly the plain text, with only our own bold, italic and link entities', () => {
    fc.assert(
      fc.property(anyCard, (values) => {
        const content = contentOf(values);
        const parsed = renderRichForTelegram(content).map((piece) => parseHtml(piece));
        const shown = parsed.map((piece) => piece.text).join('\n');
        // Telegram trims a message; blank lines are layout: compare the words line by line.
        const lines = (value: string) =>
          value
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '');
        expect(lines(shown)).toEqual(lines(richToPlainText(content)));
        for (const piece of parsed)
          for (const entity of piece.entities) expect(['bold', 'italic', 'text_link']).toContain(entity.type);
      }),
      { numRuns: 300 },
    );
  });

  it('Matrix: no tag but our own, and the text comes back when the entities are decoded', () => {
    const decode = (html: string) =>
      html
        .replace(/<br>|<\/p>|<\/h4>/g, '\n')
        .replace(/<\/?(p|h4|strong|em|a)( href="[^"]*")?>/g, '')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    fc.assert(
      fc.property(anyCard, (values) => {
        const content = contentOf(values);
        const html = richToMatrixHtml(content);
        const stripped = html.replace(/<\/?(p|h4|strong|em|br)>|<a href="[^"<>]*">|<\/a>/g, '');
        expect(stripped).not.toMatch(/[<>]/);
        const lines = (value: string) =>
          value
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '');
        expect(lines(decode(html))).toEqual(lines(richToPlainText(content)));
      }),
      { numRuns: 300 },
    );
  });
});

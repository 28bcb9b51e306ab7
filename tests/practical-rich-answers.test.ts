// Requirement sheets and tips are answers as data too: headings, lines, and the addresses in
// registry and library text (e-mail, international phone numbers, web pages) as links, rendered
// per messenger: Telegram HTML (e-mail and web links tappable, phones left as text for Telegram's
// apps), Matrix HTML with a plain body. The plain text is unchanged. Found addresses never alter
// the text and only well-formed ones become links (fast-check).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReply } from '../bots/matrix/matrix-render.ts';
import { renderRichForTelegram } from '../bots/telegram/telegram-rich.ts';
import { createAskService, type PracticalReader } from '../src/ask/index.ts';
import { linkedInlines } from '../src/ask/linked-text.ts';
import { inlineText, richToPlainText, type OutboundMessage, type RichContent } from '../src/chat/index.ts';
import { createTranslator } from '../src/i18n/i18n.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import type { Principal } from '../src/access/index.ts';
import { findSheets, type RegistryFile } from '../src/registry/index.ts';
import { buildRegistryView } from '../src/registry/registry-snapshot.ts';
import { parseHtml } from './support/telegram-emulator/html-parser.ts';
import {
  demoPracticalReader,
  demoRegistryFile,
  demoSnapshot,
  todayInAt,
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

/** The demo sheets, Uzbekistan's MLA sheet noting where to send an advance copy and whom to call. */
function readerWithAddresses(): PracticalReader {
  const file = JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as RegistryFile & {
    requirements: { country: string; competence: string | null; notes: unknown }[];
  };
  const sheet = file.requirements.find((entry) => entry.country === 'UZ' && entry.competence === 'mla');
  if (sheet === undefined) throw new Error('no UZ mla sheet in the demo registry');
  sheet.notes = {
    en: 'Advance copy to mla-desk@uz-gpo.example.org; urgent questions +998 71 233 00 00.',
    ru: 'Предварительная копия: mla-desk@uz-gpo.example.org; срочные вопросы +998 71 233 00 00.',
  };
  const view = buildRegistryView(file, 1);
  const demo = demoPracticalReader(demoDay);
  return {
    sheet: (country, competence, askerCountry) =>
      findSheets(view, { country, competence, askerCountry }, todayInAt(view, demoDay))[0],
    tips: (topic, locale) => demo.tips(topic, locale),
  };
}

const service = () => {
  const snapshot = demoSnapshot();
  return createAskService({
    limits: buildMessageLimits,
    registry: { snapshot: () => snapshot },
    translator,
    audit: { enqueue: () => undefined },
    practical: readerWithAddresses(),
    workingTime: createWorkingTime({ holidays: createHolidayCalendar() }),
    clock: { now: () => demoDay },
  });
};

const hrefsOf = (rich: RichContent | undefined): string[] =>
  (rich?.blocks ?? []).flatMap((block) =>
    block.kind === 'line' ? block.line.inlines.flatMap((inline) => inline.href ?? []) : [],
  );
const headingsOf = (rich: RichContent | undefined): string[] =>
  (rich?.blocks ?? []).flatMap((block) => (block.kind === 'heading' ? [block.text] : []));

function telegram(message: OutboundMessage) {
  const parsed = renderRichForTelegram(message.rich!).map((piece) => parseHtml(piece));
  return {
    text: parsed.map((piece) => piece.text).join('\n'),
    links: parsed.flatMap((piece) =>
      piece.entities.flatMap((entity) => (entity.type === 'text_link' ? [entity.url] : [])),
    ),
  };
}

describe('a requirement sheet as data', () => {
  it('a member opens the full MLA sheet of Uzbekistan: headings, and its e-mail and phone as links', async () => {
    const sheet = await service().handleAction(kazakhProsecutor, 'ask:all:UZ:mla', 'en');
    expect(sheet?.rich).toBeDefined();
    expect(sheet!.text).toBe(richToPlainText(sheet!.rich!));
    expect(headingsOf(sheet!.rich)[0]).toMatch(/Uzbekistan/);
    expect(headingsOf(sheet!.rich)).toContain('What the request must contain:');
    expect(hrefsOf(sheet!.rich)).toEqual(['mailto:mla-desk@uz-gpo.example.org', 'tel:+998712330000']);

    // Telegram: the e-mail is a link, the phone is text its apps make tappable.
    const shown = telegram(sheet!);
    expect(shown.links).toEqual(['mailto:mla-desk@uz-gpo.example.org']);
    expect(shown.text).toContain('+998 71 233 00 00');
    // Matrix: the same, with the plain text as body.
    const { content } = renderReply(sheet!, translator, 'en');
    expect(content.body.startsWith(sheet!.text)).toBe(true);
    expect(content.formatted_body).toContain(
      '<a href="mailto:mla-desk@uz-gpo.example.org">mla-desk@uz-gpo.example.org</a>',
    );
  });

  it('the short sheet in Russian, asked in words, is rich with the same text as before', async () => {
    const answer = await service().ask({
      principal: kazakhProsecutor,
      text: 'что нужно для запроса о правовой помощи в Узбекистан',
    });
    const reply = answer.reply;
    expect(reply.rich).toBeDefined();
    expect(reply.text).toBe(richToPlainText(reply.rich!));
    expect(reply.text).toMatch(/Узбекистан/);
    expect(headingsOf(reply.rich)).toHaveLength(1);
  });
});

describe('tips as data', () => {
  it('a tip in full: title and sources as headings, the source page a link on every messenger', async () => {
    const tip = await service().handleAction(kazakhProsecutor, 'ask:tip:e-evidence-preserve-first', 'en');
    expect(tip?.rich).toBeDefined();
    expect(tip!.text).toBe(richToPlainText(tip!.rich!));
    expect(headingsOf(tip!.rich)).toEqual(['Preserve first, then ask for the data', expect.any(String)]);
    expect(hrefsOf(tip!.rich)).toEqual(['https://www.coe.int/en/web/cybercrime/the-budapest-convention']);
    expect(telegram(tip!).links).toEqual(['https://www.coe.int/en/web/cybercrime/the-budapest-convention']);
    expect(renderReply(tip!, translator, 'en').content.formatted_body).toContain(
      '<a href="https://www.coe.int/en/web/cybercrime/the-budapest-convention">',
    );
  });

  it('the tips on a topic: a heading and the numbered titles', async () => {
    const tips = await service().handleAction(kazakhProsecutor, 'ask:tips:digital_evidence', 'ru');
    expect(tips?.rich).toBeDefined();
    expect(tips!.text).toBe(richToPlainText(tips!.rich!));
    expect(headingsOf(tips!.rich)).toHaveLength(1);
  });
});

describe('addresses in text (fast-check)', () => {
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom(
      'name@agency.example.org',
      '+996 312 66 22 11',
      'https://example.org/a?b=c',
      'http://plain.example.org',
      '@',
      '+12',
      'a@b',
      '<b>',
      '(+7 727 000 00 00)',
    ),
  );
  it('the text never changes, and only https:, mailto: and well-formed tel: links appear', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join(' ');
        const inlines = linkedInlines(text);
        expect(inlineText(inlines)).toBe(text);
        for (const inline of inlines) {
          if (inline.href === undefined) continue;
          expect(inline.href).toMatch(/^(https:\/\/\S+|mailto:[^\s]+@[^\s]+|tel:\+\d{6,20})$/);
        }
      }),
    );
  });
});

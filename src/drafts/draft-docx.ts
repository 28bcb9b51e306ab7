// The draft as a Word document, written by the docx library (no hand-made XML). Built in memory
// and handed to the caller; nothing is written to disk.
import type { DraftDocument } from './draft-builder.ts';

export const docxMediaType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export async function renderDocx(draft: DraftDocument, documentsHeading: string): Promise<Buffer> {
  // Loaded on the first document asked for: the library costs the server about 3 MB of heap and
  // more of resident memory, and most processes never write a document.
  const { Document, HeadingLevel, Packer, Paragraph, TextRun } = await import('docx');
  // `italics` is docx's run option; typescript-eslint mistakes it for the deprecated String.prototype.italics.
  const emphasised = (text: string, italics: boolean) =>
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    new TextRun({ text, italics });
  // Paragraph breaks inside the user's text stay paragraphs in the document.
  const paragraphs = (text: string, italics = false) =>
    text.split(/\n+/).map((line) => new Paragraph({ children: [emphasised(line, italics)] }));
  const document = new Document({
    creator: 'Counterpart',
    title: draft.title,
    // The document's language, so spelling checkers and screen readers read it right.
    styles: { default: { document: { run: { language: { value: draft.locale } } } } },
    sections: [
      {
        children: [
          new Paragraph({ text: draft.title, heading: HeadingLevel.TITLE }),
          ...draft.header.map((line) => new Paragraph({ text: line })),
          ...draft.sections.flatMap((section) => [
            new Paragraph({ text: section.heading, heading: HeadingLevel.HEADING_2 }),
            ...paragraphs(section.body, section.missing),
          ]),
          new Paragraph({ text: documentsHeading, heading: HeadingLevel.HEADING_2 }),
          ...draft.documents.map((item) => new Paragraph({ text: item, bullet: { level: 0 } })),
          ...draft.notes.map((note) => new Paragraph({ children: [emphasised(note, true)] })),
          new Paragraph({ text: draft.signature }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

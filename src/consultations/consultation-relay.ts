// Relaying messages between the two sides of an accepted consultation, across messengers.
import { and, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { ChatAddress } from './consultation-types.ts';
import type { Core } from './consultation-core.ts';
import {
  deliveryOf,
  findByNumber,
  lockConsultation,
  messageBySource,
  nextMessageSeq,
} from './consultation-repository.ts';
import { participantAddress } from './consultation-routing.ts';
import { consultationMessages, consultationParticipants, consultations } from './consultations-schema.ts';
import { refOf } from './consultation-types.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import { newId, activeMember } from '../members/index.ts';

export const maxMessageLength = 4000;

export interface RelayInput {
  /** The chat the message came from; the sender's side of the consultation moves there. */
  address: ChatAddress;
  /**
   * Names the platform message (e.g. `<platform>:<chat>:<message id>`): the same message delivered
   * twice by the platform is recorded and relayed once.
   */
  sourceKey: string;
  text: string;
}

export type RelayOutcome =
  | { kind: 'relayed'; seq: number }
  | { kind: 'duplicate' }
  /** A sensitive consultation and a sender writing from an unencrypted messenger: nothing relayed. */
  | { kind: 'sender_not_encrypted' }
  /** A sensitive consultation whose other side has no end-to-end encrypted chat: they got a notice instead. */
  | { kind: 'recipient_not_encrypted'; seq: number; recipientName: string };

export function createConsultationRelay(core: Core) {
  /**
   * Records one message and its relay in one transaction: the message's metadata (and its body,
   * encrypted, under a retention period) and the outbox row that delivers it. A crash before the
   * commit loses both, and the platform redelivers the message; after it, the outbox delivers.
   */
  async function relay(principal: Principal, number: number, input: RelayInput): Promise<RelayOutcome> {
    const text = input.text.trim();
    if (text === '') throw new AppError('validation_failed', 'empty message');
    if (text.length > maxMessageLength)
      throw new AppError('validation_failed', `a message is at most ${maxMessageLength} characters`);
    // Asked of the sender's own chat (before the transaction: it is the adapter's knowledge, not ours).
    const senderEncrypted = await core.conversationEncrypted(input.address);
    return core.transact(async (tx, effects) => {
      const found = await findByNumber(tx, number);
      const consultation = found === undefined ? undefined : await lockConsultation(tx, found.id);
      if (consultation === undefined) throw notFound('consultation', refOf(number));
      const role =
        consultation.askerMemberId === principal.memberId
          ? 'asker'
          : consultation.counterpartMemberId === principal.memberId
            ? 'counterpart'
            : undefined;
      if (role === undefined) throw forbidden('this consultation is not yours');
      if (consultation.status !== 'accepted') {
        throw new AppError('conflict', `consultation ${refOf(number)} is ${consultation.status}`, {
          reason: 'not_open',
        });
      }
      if ((await messageBySource(tx, input.sourceKey)) !== undefined) return { kind: 'duplicate' } as const;
      const ref = refOf(consultation.number);

      if (consultation.sensitive && !senderEncrypted) {
        effects.audit.push({
          actor: `member:${principal.memberId}`,
          action: 'consultation.message.refused',
          subject: `consultation:${consultation.id}`,
          details: {
            ref,
            from: role,
            platform: input.address.platform,
            length: text.length,
            why: 'sensitive_needs_encryption',
          },
        });
        return { kind: 'sender_not_encrypted' } as const;
      }

      const now = core.clock.now();
      const seq = await nextMessageSeq(tx, consultation.id);
      const otherId = role === 'asker' ? consultation.counterpartMemberId : consultation.askerMemberId;
      const other = otherId === null ? undefined : await activeMember(tx, otherId);
      const sender = await activeMember(tx, principal.memberId);
      const target =
        other === undefined
          ? undefined
          : await participantAddress(core, tx, consultation.id, other.id, consultation.sensitive);
      const withheld = consultation.sensitive && target !== undefined && !target.encrypted;
      const relayed = target !== undefined && !withheld;

      const bodyPurgeAt = core.purgeAt(now);
      await tx.insert(consultationMessages).values({
        id: newId(),
        consultationId: consultation.id,
        seq,
        senderMemberId: principal.memberId,
        senderRole: role,
        platform: input.address.platform,
        sourceKey: input.sourceKey,
        length: text.length,
        relayed,
        bodyCiphertext:
          bodyPurgeAt === null ? null : core.cipher.encrypt(text, core.messageContext(consultation.id, seq)),
        bodyPurgeAt,
        createdAt: now,
      });
      const counter =
        role === 'asker' ? consultations.messagesFromAsker : consultations.messagesFromCounterpart;
      await tx
        .update(consultations)
        .set({
          [role === 'asker' ? 'messagesFromAsker' : 'messagesFromCounterpart']: sql`${counter} + 1`,
          updatedAt: now,
          ...(role === 'counterpart' && consultation.firstAnswerAt === null ? { firstAnswerAt: now } : {}),
        })
        .where(eq(consultations.id, consultation.id));
      // The sender's side follows them to the messenger they now write from.
      await tx
        .update(consultationParticipants)
        .set({ platform: input.address.platform, chatId: input.address.chatId })
        .where(
          and(
            eq(consultationParticipants.consultationId, consultation.id),
            eq(consultationParticipants.memberId, principal.memberId),
          ),
        );
      effects.audit.push({
        actor: `member:${principal.memberId}`,
        action: 'consultation.message',
        subject: `consultation:${consultation.id}`,
        details: {
          ref,
          seq,
          from: role,
          platform: input.address.platform,
          length: text.length,
          relayed,
          to: target?.address.platform ?? null,
        },
      });

      if (other !== undefined && target !== undefined && sender !== undefined) {
        const locale = core.localeOf(other);
        const party = core.notices.memberParty(sender, locale);
        // Each side's thread hangs under the first message it got about the conversation: the
        // request for the counterpart, the acceptance notice for the asker.
        const rootKey =
          role === 'asker'
            ? `consult:${consultation.id}:route:${consultation.routeSeq}:to:${other.id}`
            : `consult:${consultation.id}:accepted:asker`;
        const root = await deliveryOf(tx, rootKey);
        const sameChat =
          root !== undefined &&
          root.platform === target.address.platform &&
          root.chatId === target.address.chatId;
        core.push(effects, `consult:${consultation.id}:msg:${seq}:to:${other.id}`, other.id, target.address, {
          text: core.t(locale, withheld ? 'consult-relay-withheld' : 'consult-relay', {
            ref,
            name: party.name,
            authority: party.authority,
            text,
          }),
          locale,
          // Not delivered yet (the notice may still be on its way): the outbox threads it when
          // it sends, after the root has left.
          ...(sameChat
            ? { replyTo: root.platformMessageId }
            : root === undefined
              ? { replyToPush: rootKey }
              : {}),
          ...(consultation.sensitive && !withheld ? { requiresEncryption: true } : {}),
        });
      }
      if (withheld && other !== undefined) {
        const senderLocale = sender === undefined ? core.settings.defaultLocale : core.localeOf(sender);
        return {
          kind: 'recipient_not_encrypted',
          seq,
          recipientName: core.notices.memberParty(other, senderLocale).name,
        } as const;
      }
      return { kind: 'relayed', seq } as const;
    });
  }

  /** Forgets stored bodies whose retention period is over. Resolves to how many were purged. */
  async function purgeExpiredBodies(): Promise<number> {
    const now = core.clock.now();
    const messages = await core.deps.db
      .update(consultationMessages)
      .set({ bodyCiphertext: null, bodyPurgeAt: null })
      .where(and(isNotNull(consultationMessages.bodyPurgeAt), lte(consultationMessages.bodyPurgeAt, now)))
      .returning({ id: consultationMessages.id });
    const descriptions = await core.deps.db
      .update(consultations)
      .set({ descriptionCiphertext: null, descriptionPurgeAt: null })
      .where(
        and(
          isNotNull(consultations.descriptionPurgeAt),
          lte(consultations.descriptionPurgeAt, now),
          sql`${consultations.status} not in ('pending', 'forwarded', 'rerouted')`,
        ),
      )
      .returning({ id: consultations.id });
    const purged = messages.length + descriptions.length;
    if (purged > 0) {
      await core.deps.audit.append({
        actor: 'system',
        action: 'consultation.purge',
        details: { messages: messages.length, descriptions: descriptions.length },
      });
    }
    return purged;
  }

  return { relay, purgeExpiredBodies };
}

export type ConsultationRelay = ReturnType<typeof createConsultationRelay>;

import type { Principal } from '../access/index.ts';
// What the contact page needs from the registry-truth module (issue #14: re-verification prompts,
// proposals by the contacts themselves, retirement with a successor). The console shows these
// sections and their actions only when the composition root hands it an implementation.

export type VerificationStateName = 'fresh' | 'prompted' | 'overdue' | 'unreachable' | 'proposal_pending';

export interface VerificationStateView {
  state: VerificationStateName;
  /** Since when the state holds (ISO date-time), when known. */
  since: string | null;
}

export interface ProposalView {
  id: string;
  contactId: string;
  /** The record fields the proposal changes. */
  fields: string[];
  /** The proposed values, in the registry format. */
  changes: Record<string, unknown>;
  proposedBy: string;
  createdAt: string;
}

export interface RegistryTruth {
  state(principal: Principal, contactId: string): Promise<VerificationStateView | undefined>;
  /** Sends the contact the re-verification prompt now. */
  reverify(principal: Principal, contactId: string): Promise<void>;
  pendingProposals(principal: Principal, contactId: string): Promise<ProposalView[]>;
  approve(principal: Principal, proposalId: string): Promise<void>;
  reject(principal: Principal, proposalId: string): Promise<void>;
  /** Retires the contact; open consultations and pending requests move to the successor. */
  retire(principal: Principal, contactId: string, successorId: string | undefined): Promise<void>;
}

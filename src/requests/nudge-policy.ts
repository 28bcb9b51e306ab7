// Nudge policies: when Counterpart follows up a pending formal request. Loaded from the policy
// file (nudge-policy-file.ts); this file holds the model and how one request's policy is chosen.

/** The effective policy of one request, durations in milliseconds. */
export interface NudgePolicy {
  /** After the request was sent, the first check if it was not acknowledged. */
  firstNudgeAfterMs: number;
  /** Then one nudge every this long while the request is open. */
  repeatEveryMs: number;
  /** After this many unanswered nudges, the requested country's coordinators are told (0: never). */
  escalateAfterUnanswered: number;
  /** Urgent requests multiply both intervals by this (0 < factor <= 1; default 0.5). */
  urgentFactor: number;
  /** Place nudges inside the recipient's working time (default true; false is for drills). */
  respectWorkingTime: boolean;
}

/** A policy as written in the file: every key optional, inherited from the level above. */
export type PartialNudgePolicy = Partial<NudgePolicy>;

export interface CountryPairOverride extends PartialNudgePolicy {
  /** Requesting country, ISO2, or "*" for any. */
  from: string;
  /** Requested country, ISO2, or "*" for any. */
  to: string;
  /** A request type (competence id); absent: every type. */
  type?: string;
}

export interface NudgePolicies {
  /** The policy for a request of `type` sent from `from` to `to`. */
  resolve(type: string, from: string, to: string): NudgePolicy;
  /** Intervals for one request, urgency applied. */
  /** `from` is null for a request the network's secretariat filed under no country. */
  intervals(type: string, from: string | null, to: string, urgent: boolean): NudgeIntervals;
  /** Request types named in the file (for validation against the registry's competences). */
  readonly types: readonly string[];
}

export interface NudgeIntervals {
  firstNudgeAfterMs: number;
  repeatEveryMs: number;
  escalateAfterUnanswered: number;
  respectWorkingTime: boolean;
}

/** Used beneath the file's `default`: MLA-like pacing. */
export const builtInPolicy: NudgePolicy = {
  firstNudgeAfterMs: 14 * 86_400_000,
  repeatEveryMs: 30 * 86_400_000,
  escalateAfterUnanswered: 3,
  urgentFactor: 0.5,
  respectWorkingTime: true,
};

/**
 * Layers, most general first: built-in, the file's `default`, the type's policy, then
 * country-pair overrides in file order: those without a type before those with one, so the most
 * specific override wins.
 */
export function createNudgePolicies(input: {
  defaults: PartialNudgePolicy;
  types: ReadonlyMap<string, PartialNudgePolicy>;
  countryPairs: readonly CountryPairOverride[];
}): NudgePolicies {
  // Per request type and country pair; cleared when full, so it stays small whatever pairs come.
  const cache = new Map<string, NudgePolicy>();
  const maxCached = 10_000;
  const matches = (pattern: string, value: string | null) => pattern === '*' || pattern === value;
  const resolve = (type: string, from: string | null, to: string): NudgePolicy => {
    const key = `${type}|${from ?? ''}|${to}`;
    let policy = cache.get(key);
    if (policy === undefined) {
      const pairs = input.countryPairs.filter((pair) => matches(pair.from, from) && matches(pair.to, to));
      const layers: PartialNudgePolicy[] = [
        input.defaults,
        input.types.get(type) ?? {},
        ...pairs.filter((pair) => pair.type === undefined),
        ...pairs.filter((pair) => pair.type === type),
      ];
      const merged: NudgePolicy = { ...builtInPolicy };
      for (const layer of layers) {
        for (const name of policyKeys) {
          const value = layer[name];
          if (value !== undefined) (merged as unknown as Record<string, unknown>)[name] = value;
        }
      }
      policy = merged;
      if (cache.size >= maxCached) cache.clear();
      cache.set(key, policy);
    }
    return policy;
  };
  return {
    resolve,
    intervals(type, from, to, urgent) {
      const policy = resolve(type, from, to);
      const factor = urgent ? policy.urgentFactor : 1;
      return {
        firstNudgeAfterMs: Math.max(1000, Math.round(policy.firstNudgeAfterMs * factor)),
        repeatEveryMs: Math.max(1000, Math.round(policy.repeatEveryMs * factor)),
        escalateAfterUnanswered: policy.escalateAfterUnanswered,
        respectWorkingTime: policy.respectWorkingTime,
      };
    },
    types: [...input.types.keys()],
  };
}

export const policyKeys = [
  'firstNudgeAfterMs',
  'repeatEveryMs',
  'escalateAfterUnanswered',
  'urgentFactor',
  'respectWorkingTime',
] as const satisfies readonly (keyof NudgePolicy)[];

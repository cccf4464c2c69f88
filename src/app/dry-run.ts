// The dry run behind `rules test` (and the coming preview): what processing would do to a message,
// through the very path processing takes (engine/prepare.ts), changing nothing.
import { DecisionProfiles, ownAddresses } from '../engine/decision-profile.js';
import { planActions, type PlannedRequester, type PlanStep, type Trace } from '../engine/plan.js';
import { prepareAndDecide } from '../engine/prepare.js';
import { parseRules } from '../rules/index.js';
import { discardingSink } from '../store/blobs.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import type { RulesInput } from './profiles.js';
import { rulesErrorText } from './rules.js';

export interface DryRunView {
  messageId: string;
  subject: string;
  outcome: 'imported' | 'commented' | 'skipped' | 'ignored';
  reason: string | null;
  rule: number | null;
  actions: string[];
  steps: PlanStep[];
  requesters: PlannedRequester[];
  trace: Trace;
}

export interface DryRunInput {
  raw: Buffer;
  /** The profile whose rules and mailbox addresses apply. */
  profile?: string | number;
  /** Rules to try instead of the profile's (or without any profile). */
  rules?: RulesInput;
  receivedAt?: Date;
}

export async function dryRun(app: App, input: DryRunInput): Promise<DryRunView> {
  if (input.profile === undefined && !input.rules) throw userError('a dry run needs a profile or rules to try');
  const profile = input.profile !== undefined ? await getProfile(app.store.db, input.profile) : null;
  let decisionProfile = profile ? new DecisionProfiles().of(profile) : { ruleSet: { rules: [] }, ownAddresses: [] };
  if (input.rules) {
    const { ruleSet, errors } = parseRules(input.rules.text);
    if (errors.length) throw userError(`the rules have errors:\n${rulesErrorText(errors, input.rules.label)}`, { ruleErrors: errors });
    decisionProfile = { ruleSet, ownAddresses: profile ? ownAddresses(profile) : [] };
  }
  const { message, plan } = await prepareAndDecide(
    { raw: input.raw, receivedAt: input.receivedAt ?? new Date(), sink: discardingSink },
    decisionProfile,
    { tracker: app.tracker, ownDomains: app.ownDomains },
  );
  return {
    messageId: message.messageId,
    subject: message.subject,
    outcome: plan.outcome,
    reason: plan.reason,
    rule: plan.ruleLine,
    actions: planActions(plan),
    steps: plan.steps,
    requesters: plan.requesters,
    trace: plan.trace,
  };
}

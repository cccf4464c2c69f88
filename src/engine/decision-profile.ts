// A stored profile as decide() sees it: its parsed rules and the mailbox's own addresses.
import { parseRules, type RuleSet } from '../rules/index.js';
import type { Profile } from '../store/profiles.js';
import type { DecisionProfile } from './prepare.js';

/** Parses each distinct rule text once; profiles are re-read per message, their rules rarely change. */
export class DecisionProfiles {
  private readonly cache = new Map<string, RuleSet>();

  of(profile: Profile): DecisionProfile {
    let ruleSet = this.cache.get(profile.rules);
    if (!ruleSet) {
      // Rules are validated on save; should a stored line still fail, the valid lines keep working.
      ruleSet = parseRules(profile.rules).ruleSet;
      if (this.cache.size > 100) this.cache.clear();
      this.cache.set(profile.rules, ruleSet);
    }
    return { ruleSet, ownAddresses: ownAddresses(profile), rulesVersion: profile.rulesVersion };
  }
}

/** The mailbox's own address and its login when that is an address: never requesters. */
export function ownAddresses(profile: Pick<Profile, 'source'>): string[] {
  const source = profile.source;
  return [source?.address, source?.login].filter((v): v is string => typeof v === 'string' && v.includes('@'));
}

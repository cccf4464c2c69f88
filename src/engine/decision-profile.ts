// A stored profile as decide() sees it: its parsed rules, the mailbox's own addresses and its threading
// settings.
import { parseRules, type RuleError, type RuleSet } from '../rules/index.js';
import type { Db } from '../store/database.js';
import { listProfiles, type Profile } from '../store/profiles.js';
import type { DecisionProfile } from './prepare.js';

/** Parses each distinct rule text once; profiles are re-read per message, their rules rarely change. */
export class DecisionProfiles {
  private readonly cache = new Map<string, { ruleSet: RuleSet; errors: RuleError[] }>();

  of(profile: Profile): DecisionProfile {
    let parsed = this.cache.get(profile.rules);
    if (!parsed) {
      // Rules are validated on save; should a stored line still fail (a plugin it used is no longer
      // loaded), the valid lines keep working and every trace says which line was left out.
      parsed = parseRules(profile.rules);
      if (this.cache.size > 100) this.cache.clear();
      this.cache.set(profile.rules, parsed);
    }
    return {
      ruleSet: parsed.ruleSet,
      ruleErrors: parsed.errors,
      ownAddresses: ownAddresses(profile),
      rulesVersion: profile.rulesVersion,
      threading: profile.threading,
    };
  }
}

/**
 * The mailbox's own address, its login when that is an address, and the address its mail is sent
 * from: never requesters, never sent an acknowledgement, and the addresses reply tokens are read on.
 */
export function ownAddresses(profile: Pick<Profile, 'source'> & { smtp?: Profile['smtp'] }): string[] {
  const source = profile.source;
  const found = [source?.address, source?.login, profile.smtp?.fromAddress].filter((v): v is string => typeof v === 'string' && v.includes('@'));
  return [...new Set(found.map((a) => a.toLowerCase()))];
}

/**
 * The own addresses of every profile: a reply Cc'd to another of our mailboxes must not make that
 * mailbox a participant (nor, later, a recipient of our own acknowledgements). One small query.
 */
export async function everyProfileAddress(db: Db): Promise<string[]> {
  return (await listProfiles(db)).flatMap(ownAddresses);
}

// Rules history: every saved text of a profile's rules is a version (who, when, why). List them, show
// one, diff two, and restore one, which saves its text again as a new version: history is never
// rewritten, so a restore can itself be undone.
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import { getProfile, type Profile } from '../store/profiles.js';
import { findRulesVersion, listRulesVersions as storedVersions, type RulesVersion } from '../store/rules-versions.js';
import type { App } from './app.js';
import { notFound, userError } from './errors.js';
import type { Principal } from './principal.js';
import { changeProfile, type ProfileSaved } from './profiles.js';

export interface RulesVersionView {
  version: number;
  /** Who saved it, as the audit log names them ('alice', 'token:ci', 'cli:root', 'migration'). */
  author: string;
  comment: string | null;
  createdAt: string;
  /** This is the text the profile uses now. */
  current: boolean;
  /** How many lines the text has (a final newline does not start another). */
  lines: number;
}

export interface RulesDiffView {
  from: number;
  to: number;
  /** The unified diff, `--- version FROM` / `+++ version TO`; empty when the texts are equal. */
  unified: string;
  hunks: Array<{ fromLine: number; fromLines: number; toLine: number; toLines: number; lines: string[] }>;
}

/** Newest first. */
export async function listRulesVersions(app: App, profile: string | number): Promise<RulesVersionView[]> {
  const found = await getProfile(app.store.db, profile);
  return (await storedVersions(app.store.db, found.id)).map((v) => versionView(v, found));
}

export async function getRulesVersion(app: App, profile: string | number, version: number): Promise<RulesVersionView & { rules: string }> {
  const found = await getProfile(app.store.db, profile);
  const stored = await versionOf(app, found, version);
  return { ...versionView(stored, found), rules: stored.rules };
}

export async function diffRulesVersions(app: App, profile: string | number, from: number, to: number): Promise<RulesDiffView> {
  const found = await getProfile(app.store.db, profile);
  const [a, b] = [await versionOf(app, found, from, 'from'), await versionOf(app, found, to, 'to')];
  const patch = structuredPatch(`version ${from}`, `version ${to}`, a.rules, b.rules, undefined, undefined, { context: 3 });
  return {
    from,
    to,
    unified: patch.hunks.length ? formatPatch(patch, FILE_HEADERS_ONLY) : '',
    hunks: patch.hunks.map((h) => ({ fromLine: h.oldStart, fromLines: h.oldLines, toLine: h.newStart, toLines: h.newLines, lines: h.lines })),
  };
}

/**
 * Makes an old version's text the current rules again, as a new version ("restored version N" unless
 * a comment is given). Refused like any save if the text no longer parses; a text equal to the current
 * rules changes nothing and says so in a note.
 */
export async function restoreRulesVersion(
  app: App,
  profile: string | number,
  version: number,
  who: Principal,
  comment?: string,
): Promise<ProfileSaved> {
  const found = await getProfile(app.store.db, profile);
  const stored = await versionOf(app, found, version);
  const rules = { text: stored.rules, label: `version ${version}`, comment: comment?.trim() || `restored version ${version}` };
  return changeProfile(app, found.id, { rules }, who, 'rules.restore');
}

async function versionOf(app: App, profile: Profile, version: number, field = 'version'): Promise<RulesVersion> {
  if (!Number.isInteger(version) || version < 1) {
    const message = `A version should be a whole number from 1 up (got ${version})`;
    throw userError(message, { fields: [{ field, message }] });
  }
  const stored = await findRulesVersion(app.store.db, profile.id, version);
  if (!stored) throw notFound(`profile '${profile.name}' has no rules version ${version} (its latest is ${profile.rulesVersion ?? 'none'})`);
  return stored;
}

function versionView(v: RulesVersion, profile: Profile): RulesVersionView {
  return {
    version: v.version,
    author: v.author,
    comment: v.comment,
    createdAt: v.createdAt,
    current: v.version === profile.rulesVersion,
    lines: lineCount(v.rules),
  };
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.replace(/(\r\n|\r|\n)$/, '').split(/\r\n|\r|\n/).length;
}

// The rule tester: a message dropped, chosen as a file, pasted, or picked from the profile's recent
// mail, tried against the rules as they are in the editor (saved or not). The answer in words: the rule
// that matched, why each rule above it did not (condition by condition), and the plan. Nothing is written.
import { useMemo, useState } from 'preact/hooks';
import { parseRules } from '../../../src/rules/index.js';
import { api, ApiError, errorText } from '../api.js';
import { Field } from './field.js';
import { useApi } from './use-api.js';

interface TraceEntry {
  line: number;
  source: string;
  matched?: boolean;
  reason: string;
  /** The rule's top-level conditions: as written (canonical), whether each held, and why. */
  conditions: Array<{ condition: string; matched: boolean; reason: string }>;
}

export interface DryRun {
  subject: string;
  outcome: string;
  reason: string | null;
  matchedRule: { line: number; source: string } | null;
  notMatched: TraceEntry[];
  /** The matched rule's effects in the rule language's words: projects resolved, captures filled in. */
  actions: string[];
  trace: { rules?: TraceEntry[]; warnings?: string[] };
}

type Input = { rawBase64: string } | { raw: string } | { messageId: number };

/** Bytes to base64 without the call-stack limit of String.fromCharCode(...bytes) on big messages. */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function RuleTester({ profileId, rules }: { profileId: number; rules: string }) {
  // Checked here as in the editor: the service would refuse them anyway.
  const rulesHaveErrors = useMemo(() => parseRules(rules).errors.length > 0, [rules]);
  const [pasted, setPasted] = useState('');
  const [picked, setPicked] = useState('');
  const [result, setResult] = useState<{ of: string; run: DryRun } | null>(null);
  const [error, setError] = useState<{ at: 'file' | 'raw' | 'recent'; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const recent = useApi<{ messages: Array<{ id: number; subject: string | null; from: string | null; receivedAt: string }> }>(`/messages?profileId=${profileId}&limit=20`);

  const run = async (input: Input, of: string, at: 'file' | 'raw' | 'recent') => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult({ of, run: await api<DryRun>('/rules/test', { body: { profileId, rules, ...input } }) });
    } catch (e) {
      const message = e instanceof ApiError && e.lines.length ? 'The rules have errors: fix them in the editor above first.' : errorText(e);
      setError({ at, message });
    } finally {
      setBusy(false);
    }
  };
  const runFile = async (file: File | undefined) => {
    if (file) await run({ rawBase64: base64(new Uint8Array(await file.arrayBuffer())) }, file.name, 'file');
  };
  const at = (where: 'file' | 'raw' | 'recent') => (error?.at === where ? error.message : undefined);

  return (
    <section class="rule-tester" aria-labelledby="rule-tester-title">
      <h2 id="rule-tester-title">Test rules</h2>
      <p class="hint">Tries the rules as they are in the editor above, saved or not. Nothing is written.</p>
      {rulesHaveErrors && <p class="error">The rules have errors: fix them before testing.</p>}
      <div class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); void runFile(e.dataTransfer?.files[0]); }}>
        <Field id="tester-file" label="Message file (.eml): choose one, or drop it here" error={at('file')}>
          <input id="tester-file" type="file" accept=".eml,message/rfc822,text/plain" disabled={busy || rulesHaveErrors}
            onChange={(e) => { void runFile(e.currentTarget.files?.[0]); e.currentTarget.value = ''; }} />
        </Field>
      </div>
      <Field id="tester-raw" label="Or paste the message (headers, a blank line, the body)" error={at('raw')}>
        <textarea id="tester-raw" rows={6} spellcheck={false} value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
      </Field>
      <button type="button" disabled={busy || rulesHaveErrors || !pasted.trim()} onClick={() => void run({ raw: pasted }, 'the pasted message', 'raw')}>Test the pasted message</button>
      <Field id="tester-recent" label="Or pick a recent message of this profile" error={at('recent') ?? recent.error ?? undefined}>
        {recent.data && recent.data.messages.length === 0
          ? <p class="hint">No stored messages yet: they appear here once mail arrives.</p>
          : (
            <div class="rules-row">
              <select id="tester-recent" value={picked} onChange={(e) => setPicked(e.currentTarget.value)}>
                <option value="">— choose a message —</option>
                {recent.data?.messages.map((m) => <option key={m.id} value={String(m.id)}>{m.subject ?? '(no subject)'} — {m.from ?? 'unknown sender'}</option>)}
              </select>
              <button type="button" disabled={busy || rulesHaveErrors || !picked} onClick={() => void run({ messageId: Number(picked) }, `message ${picked}`, 'recent')}>Test this message</button>
            </div>
          )}
      </Field>
      <div aria-live="polite">
        {busy && <p role="status">Testing…</p>}
        {result && <DryRunView of={result.of} run={result.run} />}
      </div>
    </section>
  );
}

function DryRunView({ of, run }: { of: string; run: DryRun }) {
  const matched = run.matchedRule ? run.trace.rules?.find((r) => r.matched && r.line === run.matchedRule!.line) : undefined;
  return (
    <div class="dry-run">
      <h3>Result for {of}{run.subject ? ` (“${run.subject}”)` : ''}</h3>
      {run.matchedRule
        ? <p class="matched"><strong>Rule on line {run.matchedRule.line} matched:</strong> <code>{run.matchedRule.source}</code>{matched?.reason ? <> — {matched.reason}</> : null}</p>
        : <p class="matched"><strong>No rule matched</strong>: the message would be {run.outcome}{run.reason ? ` (${run.reason})` : ''}.</p>}
      {matched && matched.conditions.length > 0 && <Conditions of={matched} />}
      {run.notMatched.length > 0 && (
        <>
          <h4>Why the rules above did not match</h4>
          <ul class="not-matched">
            {run.notMatched.map((r) => (
              <li key={r.line}>
                Line {r.line}: <code>{r.source}</code> — {r.reason}
                {r.conditions.length > 0 && <Conditions of={r} />}
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>The plan</h4>
      {run.actions.length ? <ol class="plan">{run.actions.map((a, i) => <li key={i}><code>{a}</code></li>)}</ol> : <p>Nothing would be done: the message would be {run.outcome}{run.reason ? ` (${run.reason})` : ''}.</p>}
      {run.actions.length > 0 && run.outcome !== 'imported' && <p class="outcome">The message would be {run.outcome}{run.reason ? ` (${run.reason})` : ''}.</p>}
      {(run.trace.warnings ?? []).map((w, i) => <p key={i} class="warning">Warning: {w}</p>)}
    </div>
  );
}

/** One line per top-level condition; a compound's reason goes through its parts. */
function Conditions({ of }: { of: TraceEntry }) {
  return (
    <ul class="conditions">
      {of.conditions.map((c, i) => (
        <li key={i} class={c.matched ? 'held' : 'failed'}>{c.matched ? '✓ held' : '✗ failed'}: <code>{c.condition}</code> — {c.reason}</li>
      ))}
    </ul>
  );
}

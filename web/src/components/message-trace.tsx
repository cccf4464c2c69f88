// Why a message ended as it did, in words: how it was classified, who sent it, the item a reply was
// bound to (or why not), each rule checked top to bottom with each condition, and the rules version that decided.
import type { MessageDetail, Trace } from './message-types.js';

export function MessageTrace({ message }: { message: MessageDetail }) {
  const trace = message.trace;
  if (!trace) return <p class="empty">No trace yet: the message has not been processed{message.lastError ? ` (last error: ${message.lastError})` : ''}.</p>;
  if ('error' in trace) return <p class="error">It could not be decided: {trace.error}</p>;
  return <TraceWords trace={trace} />;
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function TraceWords({ trace }: { trace: Trace }) {
  return (
    <div class="trace">
      <ul>
        <li>Classified as <strong>{trace.classification.kind}</strong>{trace.classification.reason ? ` (${trace.classification.reason})` : ''}.</li>
        <li>Sender: {trace.sender.summary}</li>
        {trace.binding && <li>A reply to item {trace.binding.itemId}: {trace.binding.evidence}.{trace.replyAccess ? ` ${cap(trace.replyAccess)}.` : ''}</li>}
        {(trace.bindingRefused ?? []).map((why, i) => <li key={`refused-${i}`}>Not a reply: {why}.</li>)}
        {trace.reference && <li>Refers to ticket #{trace.reference.ticket}, which {trace.reference.exists ? 'exists' : 'does not exist'}.</li>}
        {trace.reply && <li>Comment text: {trace.reply.how}.</li>}
        <li>{trace.rulesVersion != null ? `Decided by rules version ${trace.rulesVersion}.` : 'Decided before the rules had a history, or by unsaved rules.'}</li>
      </ul>
      {trace.rules.length === 0 ? (
        <p>No rule was checked{trace.classification.kind !== 'human' ? ': mail of this kind is never routed by rules' : ''}.</p>
      ) : (
        <ol class="rules-checked">
          {trace.rules.map((rule) => (
            <li key={rule.line} class={rule.matched ? 'matched' : 'not-matched'}>
              <span class="rule-head">Line {rule.line}: {rule.matched ? 'matched' : 'did not match'}</span>
              <code>{rule.source}</code>
              {rule.reason && <span class="hint"> — {rule.reason}</span>}
              {rule.conditions.length > 0 && (
                <ul>{rule.conditions.map((c, i) => <li key={i}>{c.matched ? '✓' : '✗'} <code>{c.condition}</code>: {c.reason}</li>)}</ul>
              )}
            </li>
          ))}
          {trace.rulesNotListed ? <li class="not-matched">… and {trace.rulesNotListed} more rules tried that did not match (a trace lists the first 100)</li> : null}
        </ol>
      )}
      {trace.warnings.length > 0 && <ul class="warnings">{trace.warnings.map((w, i) => <li key={i}>Warning: {w}</li>)}</ul>}
    </div>
  );
}

// A message's outcome as a badge, in words (pending while it waits).
import type { MessageSummary } from './message-types.js';

const TONE: Record<string, string> = { imported: 'good', commented: 'good', failed: 'bad', skipped: 'neutral', ignored: 'neutral', pending: 'neutral' };

export function OutcomeBadge({ message }: { message: Pick<MessageSummary, 'outcome' | 'state'> }) {
  const word = message.outcome ?? (message.state === 'processing' ? 'processing' : 'pending');
  return <span class={`badge ${TONE[word] ?? 'neutral'}`}>{word}</span>;
}

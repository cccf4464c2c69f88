// The steps of a Check Connection (mailbox or SMTP) as they come back: each with ✓ or ✗, its time and
// what it found, read out as they change.
import type { CheckStep } from './types.js';

export function CheckSteps({ steps, label }: { steps: CheckStep[]; label: string }) {
  return (
    <ol class="steps" aria-live="polite" aria-label={label}>
      {steps.map((s) => (
        <li key={s.step} class={s.ok ? 'ok' : 'failed'}>
          <span class="step-name">{s.ok ? '✓' : '✗'} {s.step}</span> <span class="ms">{s.ms} ms</span> <span class="message">{s.message}</span>
        </li>
      ))}
    </ol>
  );
}

// Printing Check Connection as it runs: one line per step with its time.
import type { CheckStep } from '../sources/check.js';

export function printCheck(step: CheckStep): void {
  const mark = step.ok ? 'ok  ' : 'FAIL';
  const fix = step.ok || !step.field ? '' : `  (check the ${step.field} setting)`;
  process.stdout.write(`${mark} ${step.step.padEnd(12)} ${String(step.ms).padStart(5)} ms  ${step.message}${fix}\n`);
}

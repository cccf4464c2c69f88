// When V8 hands mailbind's functions to its optimizing compiler, TurboFan (issue 14). A `fetch --once`
// of 2,000 messages spent about a third of its CPU on V8's helper threads, and `perf` put two thirds of
// theirs in TurboFan: V8 optimizes a function once it has run about 200 KB of bytecode (Node 20: three
// ticks of a 66 KB interrupt budget, more for a long function), and a mail pipeline has hundreds of
// lukewarm functions (header and rule checks, statement building, intake) that cross that line once in a
// run and then hardly run again. With a budget four times as large, a function must run four times as
// much first: the run's optimized compilations fell from 465 to 218 on the processing thread and from
// 409 to 225 on the parse thread, and CPU per message by 11% (4% at 10,000 messages); the functions that
// keep running (the parser's, the store's) are optimized all the same, a little later
// (docs/benchmarks.md, "Fewer optimizing compiles").
//
// V8 reads the budget whenever it resets a function's counter, so it is set from inside, at start-up,
// whichever way node was started; worker threads (the parse threads) share V8's flags. An operator's own
// `--interrupt-budget` given to node is left alone.
//
// Only Node 20's V8 (11.3) has that flag. From Node 21's (11.8) on, V8 decides by how often a function
// was called (`--invocation-count-for-turbofan`, with Maglev, a faster compiler, in between) and refuses
// `--interrupt-budget` with "Error: unrecognized flag" on stderr, which every command then printed on
// Node 22. There mailbind leaves V8's tiering as it is: the newer model was not measured here.
import v8 from 'node:v8';

/** Bytes of bytecode run between V8's looks at whether a function is hot enough to optimize. */
export const INTERRUPT_BUDGET = 264 * 1024;

/** Whether V8 `version` (process.versions.v8) has `--interrupt-budget`: 11.3 (Node 20) has, 11.8 (Node 21) and later have not. */
export function hasInterruptBudget(version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < 11 || (major === 11 && minor < 8);
}

/** Sets V8's interrupt budget where V8 has one; call first thing in a process, before the work it should apply to. */
export function tuneTiering(): void {
  if (!hasInterruptBudget()) return;
  // Only this flag: V8 has others that begin the same (--interrupt-budget-for-maglev, …).
  if (process.execArgv.some((arg) => /^--interrupt[-_]budget(=|$)/.test(arg))) return;
  v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}

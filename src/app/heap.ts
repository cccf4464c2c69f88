// How big V8 lets mailbind's heap grow (issue 14's memory budget). Measured on `fetch --once` of 2,000
// messages (docs/benchmarks.md): the live heap is about 30 MB, yet V8's defaults let the heap reach
// 130 MB before a full collection, and the young generation alone takes 32 MB. Two settings:
//
// - The young generation: two semi-spaces of 4 MiB instead of V8's 16 MiB. V8 reads this only when the
//   process starts, so it is a node option: the `mailbind` bin starts node with BIN_NODE_OPTIONS
//   (scripts/bundle.mjs writes its first lines), and so does `npm start`, which runs the bin.
// - The old generation: grown by half its live size after each full collection (V8's own factor goes up
//   to 4× when collecting is cheap). V8 reads this at every collection, so it is set from inside, at
//   start-up (sizeHeap), whichever way node was started.
//
// Both are V8's flags; an operator's own choice wins: NODE_OPTIONS is appended after ours, and a
// `--heap-growing-percent` given to node is left alone.
//
// Node 24 (V8 13) differs (measured with test/cli/heap.test.ts's probes): its default young generation is
// 64 MiB (2 × 4 MiB still holds it to about 10), and it ignores --heap-growing-percent but already keeps
// the old generation near its live size by itself (2.7× the probe's live set, against 5–6× on Node 20 and
// 22 without the setting, 2.3–2.5× with it).
//
// The bin also sets, the same way, how many helper threads V8 runs and how many arenas glibc's malloc
// keeps (V8_POOL_SIZE, MALLOC_ARENA_MAX below).
import v8 from 'node:v8';

/**
 * V8's helper threads, which collect garbage and compile for every isolate (the processing thread and
 * each parse thread): two, where node starts four whatever the machine. On 2 cores, four helpers beside
 * the two busy threads cost more in switching between threads than they bring: `fetch --once` of 2,000
 * messages took 2.36 against 2.72 ms per message, faster in 11 of 13 rounds, with 8–13% less CPU; one
 * helper (node's own sizing, `--v8-pool-size=0`, is the cores less one) was slower than two, the
 * collections it could not take falling back on the isolates' own threads (docs/benchmarks.md, tenth
 * slice). Measured on 2 cores only; an operator's `--v8-pool-size` in NODE_OPTIONS wins.
 */
export const V8_POOL_SIZE = 2;

/** Node options the `mailbind` bin starts node with (also `npm start`, which runs the bin). */
export const BIN_NODE_OPTIONS = `--max-semi-space-size=4 --v8-pool-size=${V8_POOL_SIZE}`;

/**
 * glibc's malloc arenas, outside V8's heap: at most two, where glibc allows 8 per core. A thread that
 * finds the arenas in use by others gets one of its own, and mailbind runs many threads that malloc
 * (the parse thread, libuv's four, V8's helpers compiling and collecting); memory freed in an arena stays
 * mapped until glibc trims that arena, which it seldom does. The bin starts node with it in the
 * environment, where glibc reads it, unless the operator set MALLOC_ARENA_MAX; other C libraries ignore
 * it. Measured on `fetch --once` of 10,000 messages: peak RSS 199 against 211 MB in the same round, at
 * the same time and CPU (docs/benchmarks.md, ninth slice, with how much RSS moves between runs).
 */
export const MALLOC_ARENA_MAX = 2;

/** The environment of a process started as the bin starts one: its NODE_OPTIONS and MALLOC_ARENA_MAX, the caller's winning. */
export function asTheBinStartsNode(env: NodeJS.ProcessEnv): { NODE_OPTIONS: string; MALLOC_ARENA_MAX: string } {
  // `||`, as the bin's `${MALLOC_ARENA_MAX:-2}`: set but empty is not set.
  return { NODE_OPTIONS: withHeapOptions(env.NODE_OPTIONS), MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX || String(MALLOC_ARENA_MAX) };
}

/** The old generation may grow to 1.5× what survived the last full collection before the next. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * NODE_OPTIONS for a process started as the bin starts one (BIN_NODE_OPTIONS, not only the heap's): ours
 * first, so that the caller's win.
 */
export function withHeapOptions(nodeOptions: string | undefined): string {
  return `${BIN_NODE_OPTIONS} ${nodeOptions ?? ''}`.trim();
}

/** Sets the old generation's growth; call first thing in a process. */
export function sizeHeap(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

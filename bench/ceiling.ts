// What no pipeline could beat on this machine, whatever it did around the parser (issue 14's "on paper,
// how it scales with cores", measured). Any end-to-end run must at least receive every message (the IMAP
// client's CPU and the local Dovecot's, as (a) measures them) and parse it ((b)'s CPU, garbage
// collection included), and all of that shares the machine's cores. So on `cores` cores one message
// takes at least (receive + serve + parse CPU) / cores of wall time, however the work is spread, and
// (c)'s ratios can be no higher than (a)'s and (b)'s time per message over that floor. It is a bound,
// not a forecast: it leaves out everything mailbind does besides (storing, deciding, recording), and a
// single stream and a single parse cannot be split across cores, so more cores reach it less closely.

export interface CeilingInputs {
  cores: number;
  /** (a): wall time per message of the raw fetch, and the CPU per message of the client and of Dovecot during it. */
  rawMs: number;
  rawClientCpuMs: number;
  rawServerCpuMs: number;
  /** (b): wall time and CPU per message of the bare parse. */
  parseMs: number;
  parseCpuMs: number;
}

export interface Ceiling {
  /** The least wall time per message on `cores` cores: receiving, serving and parsing only, every core busy. */
  floorMs: number;
  /** The highest (c)/(a) and (c)/(b) that floor allows. */
  cOverA: number;
  cOverB: number;
  /** The fewest cores on which the floor would allow `ratio` of (a) or of (b). */
  coresFor(ratio: number, of: 'a' | 'b'): number;
  /**
   * The most CPU per message a pipeline may spend besides receiving, serving and parsing and still reach
   * `ratio` of (a) or of (b) on `cores` cores with every core busy (negative: not even with none).
   */
  budgetFor(ratio: number, of: 'a' | 'b'): number;
}

export function ceiling(i: CeilingInputs): Ceiling {
  const cpuMs = i.rawClientCpuMs + i.rawServerCpuMs + i.parseCpuMs;
  const floorMs = cpuMs / i.cores;
  return {
    floorMs,
    cOverA: i.rawMs / floorMs,
    cOverB: i.parseMs / floorMs,
    // (c)/(x) = x's time / (c)'s time ≤ x's time × cores / cpu, so the ratio needs cores ≥ ratio × cpu / x's time.
    coresFor: (ratio, of) => Math.ceil((ratio * cpuMs) / (of === 'a' ? i.rawMs : i.parseMs)),
    // (c) may take x's time / ratio per message: that many core-milliseconds on `cores` cores.
    budgetFor: (ratio, of) => (i.cores * (of === 'a' ? i.rawMs : i.parseMs)) / ratio - cpuMs,
  };
}

// (c) of the ingest benchmark over POP3 (issue 14): the same generated mailbox, which the same Dovecot
// also serves over POP3S, through `mailbind fetch --once` (bench/ingest-e2e.ts with "protocol":"pop3")
// in a child process, as (c) over IMAP runs. It runs in the same rounds as (a), (b) and (c) over IMAP
// (bench/ingest.ts calls round() once per round), so its ratios to (a) and (b) hold like theirs; with
// MAILBIND_BENCH_BASELINE the other build's POP3 run takes turns going first with this build's, as over
// IMAP. Before its first run, one POP3 session lists the mailbox (UIDL, LIST), so that no measured run
// pays for what Dovecot does at a mailbox's first POP3 session. Printed as lines of its own and returned
// for the results JSON.
import { Pop3Client } from '../src/sources/pop3/index.js';
import type { Dovecot } from '../test/support/dovecot.js';
import type { EndToEndResult } from './ingest-e2e.js';

type Report = (name: string, value: string) => void;

/** The run with the median time (the lower middle one for an even count). */
function median<T extends { ms: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.ms - y.ms)[Math.floor((runs.length - 1) / 2)]!;
}

export class Pop3EndToEnd {
  private readonly runs: EndToEndResult[] = [];
  private readonly baselineRuns: EndToEndResult[] = [];
  private warm = false;

  /** `run(script)`: one (c) over POP3 of `user`'s mailbox with that build's ingest-e2e.js. */
  constructor(private readonly dc: Dovecot, private readonly user: { user: string; password: string },
    private readonly run: (script: string) => Promise<EndToEndResult>, private readonly script: string,
    private baselineScript: string | undefined) {}

  /** One round: this build's run, and the baseline build's if there is one (this build first in rounds 1, 3, …). */
  async round(round: number): Promise<void> {
    if (!this.warm) await this.warmUp();
    const thisBuild = async () => void this.runs.push(await this.runOver(this.script));
    const baseline = async () => {
      if (!this.baselineScript) return;
      try {
        this.baselineRuns.push(await this.runOver(this.baselineScript));
      } catch (error) {
        // A build from before the POP3 run fetches over IMAP from the POP3 port (and times out) or
        // reports IMAP: it has no POP3 figure to compare, and the rest of the benchmark still runs.
        console.error(`ingest (c) POP3: no baseline figure: ${(error as Error).message.split('\n')[0]}`);
        this.baselineScript = undefined;
      }
    };
    for (const step of round % 2 === 0 ? [thisBuild, baseline] : [baseline, thisBuild]) await step();
  }

  /** A build older than the POP3 run ignores "protocol" and fetches over IMAP: that must not pass for POP3. */
  private async runOver(script: string): Promise<EndToEndResult> {
    const result = await this.run(script);
    if (result.protocol !== 'pop3') throw new Error(`${script} fetched over ${result.protocol ?? 'IMAP'}, not POP3: that build predates the POP3 run`);
    return result;
  }

  private async warmUp(): Promise<void> {
    const client = await Pop3Client.connect({
      host: this.dc.host, port: this.dc.ports.pop3s, tls: 'tls', ca: this.dc.caCert, login: this.user.user, password: this.user.password,
    });
    try {
      await client.uidl();
      await client.list();
      await client.quit();
    } finally {
      client.close();
    }
    this.warm = true;
  }

  /** Prints the medians with their ratios to this run's (a) and (b) (messages per second); returns them for the JSON. */
  report(report: Report, a: { msgPerS: number }, b: { msgPerS: number }): Record<string, unknown> {
    const figures = (r: EndToEndResult) => {
      const msgPerS = r.messages / (r.ms / 1000);
      return { msgPerS, mbPerS: r.bytes / 1048576 / (r.ms / 1000), msPerMsg: r.ms / r.messages, cOverA: msgPerS / a.msgPerS, cOverB: msgPerS / b.msgPerS };
    };
    const text = (r: EndToEndResult) => {
      const f = figures(r);
      const per = (n: number) => (n / r.messages).toFixed(2);
      return `${f.msgPerS.toFixed(0)} msg/s, ${f.msPerMsg.toFixed(2)} ms/msg, (c)/(a) ${f.cOverA.toFixed(3)}, (c)/(b) ${f.cOverB.toFixed(3)}, `
        + `peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB, ${per(r.syncs.fileSyncs + r.syncs.dirSyncs + r.syncs.commits)} syncs/msg `
        + `(blob files ${per(r.syncs.fileSyncs)}, blob folders ${per(r.syncs.dirSyncs)}, SQLite commits ${per(r.syncs.commits)})`;
    };
    const e2e = median(this.runs);
    report('ingest (c) POP3 fetch --once, SQLite, builtin tracker', text(e2e));
    report('ingest (c) POP3 outcomes', JSON.stringify(e2e.outcomes));
    const out: Record<string, unknown> = { ...e2e, ...figures(e2e), runsMs: this.runs.map((r) => r.ms) };
    if (this.baselineRuns.length) {
      const before = median(this.baselineRuns);
      report('ingest (c) POP3 baseline build', text(before));
      report('ingest (c) POP3 this build / baseline build', `${(figures(e2e).msgPerS / figures(before).msgPerS).toFixed(2)}×`);
      out.baseline = { script: this.baselineScript, ...before, ...figures(before), runsMs: this.baselineRuns.map((r) => r.ms) };
    }
    return out;
  }
}

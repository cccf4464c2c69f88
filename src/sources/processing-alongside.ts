// Processing what a poll's intake has committed while the intake goes on (issue 14). Intake is mostly
// waiting (on the server, on the disk's syncs) and processing is mostly CPU, so each overlaps the other
// best when neither waits for the other: intake never waits for a pass to end, and a pass takes every
// message committed before it looks (the processor claims until nothing is due). So one pass runs at a
// time, and a step committed while one runs gets one more pass after it, which finds what the running
// pass did not take. When intake waited for each pass before it downloaded on, a pass that drained the
// batches committed meanwhile left the next download with nothing beside it: measured, 2.41 against
// 2.53 ms per message end to end over 6 rounds (docs/benchmarks.md, ninth slice).
//
// No pass outlives the poll's download (`finished`, `stopped`): a poll that fails goes on to process
// what it stored (processBeforeFailing), which must not run beside a pass still under way. Once the
// download has ended, a pass still due is not run: the caller processes next anyway (the poll's own
// pass after intake, or processBeforeFailing), and that pass takes what the last one did not.

export class ProcessingAlongside {
  private running: Promise<void> | undefined;
  private again = false;
  private failure: { error: unknown } | undefined;

  /** `process`: the caller's processing of what is stored (PollContext.afterIntake); none, nothing runs. */
  constructor(private readonly process: (() => Promise<void>) | undefined) {}

  /**
   * A step's messages are committed: a pass begins now, or once more after the one running. Throws the
   * error of a pass that failed, which ends the intake (as it did when intake waited for each pass).
   */
  committed(): void {
    if (this.failure) throw this.failure.error;
    if (!this.process) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes(this.process);
  }

  /** The download has ended: waits for the pass running (none more begins); throws the error of one that failed. */
  async finished(): Promise<void> {
    await this.stopped();
    if (this.failure) throw this.failure.error;
  }

  /** Waits the same, ignoring a pass's failure: the intake's own error is the one to report. */
  async stopped(): Promise<void> {
    this.again = false;
    await this.running;
  }

  /** Passes until none is due; never rejects (the failure is kept for `committed` and `finished`). */
  private async passes(process: () => Promise<void>): Promise<void> {
    try {
      do {
        this.again = false;
        await process();
      } while (this.again);
    } catch (error) {
      this.failure = { error };
    } finally {
      this.running = undefined;
    }
  }
}

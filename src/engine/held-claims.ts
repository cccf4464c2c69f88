// The messages one processor holds, across all its lanes (`--concurrency`), so that a message taken over
// before is held alone in the whole process (store/inbox.ts, MAX_TAKEOVERS): if it makes mailbind crash
// again, no other message goes down with it, and only the message at fault comes closer to being given up.
// Claims take turns, so that two lanes cannot each take such a message at once; while one is held, or
// one waits for the others to be done, no lane claims anything new.
import { claimedAlone, type InboxItem } from '../store/inbox.js';

/** Claims items: `aloneAllowed` says whether it may take one to hold alone; `onAloneWaiting` hears that one waits. */
export type Claimer = (aloneAllowed: boolean, onAloneWaiting: () => void) => Promise<InboxItem[]>;

export class HeldClaims {
  private readonly ids = new Set<number>();
  private aloneId: number | undefined;
  private aloneWaiting = false;
  private turn: Promise<unknown> = Promise.resolve();

  /** A message is held alone: nothing is claimed beside it. */
  get alone(): boolean {
    return this.aloneId !== undefined;
  }

  /** Claims in turn; none while a message is held alone, nor while one waits to be and other messages are held. */
  claim(claimer: Claimer): Promise<InboxItem[]> {
    const run = this.turn.then(async () => {
      if (this.aloneId !== undefined || (this.aloneWaiting && this.ids.size > 0)) return [];
      this.aloneWaiting = false;
      const items = await claimer(this.ids.size === 0, () => (this.aloneWaiting = true));
      for (const item of items) {
        this.ids.add(item.id);
        if (claimedAlone(item)) this.aloneId = item.id;
      }
      return items;
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** The item has its outcome (or its claim is given back): no longer held. */
  settled(id: number): void {
    this.ids.delete(id);
    if (this.aloneId === id) this.aloneId = undefined;
  }
}

// The messages one processor holds, across all its lanes (`--concurrency`), so that a message taken over
// before is held alone in the whole process (store/inbox.ts, MAX_TAKEOVERS): if it makes mailbind crash
// again, no other message goes down with it, and only the message at fault comes closer to being given up.
// Claims take turns, so that two lanes cannot each take such a message at once; while one is held, or
// one waits for the others to be done, no lane claims anything new: for ALONE_WAIT_MS at most, so that a
// message that hangs without stopping the process (a lock it waits on; its claim is renewed, so no one
// takes it over) keeps the other lanes idle no longer than that.
import { claimedAlone, CLAIM_LEASE_MS, type InboxItem } from '../store/inbox.js';

/**
 * Claims items (store/inbox.ts, claimDueItems): `aloneAllowed` says whether it may take one to hold alone;
 * `makeWayForAlone` whether, while one waits, it takes only a stopped holder's batch (no pending mail);
 * `onAloneWaiting` hears that one waits.
 */
export type Claimer = (how: { aloneAllowed: boolean; makeWayForAlone: boolean; onAloneWaiting: () => void }) => Promise<InboxItem[]>;

/** How long the lanes hold back for a message held alone or waiting to be: as long as a claim's lease. */
export const ALONE_WAIT_MS = CLAIM_LEASE_MS;

export class HeldClaims {
  private readonly ids = new Set<number>();
  private alone: { id: number; since: number } | undefined;
  private waitingSince: number | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A message is held alone, and nothing is claimed beside it. */
  get holdsAlone(): boolean {
    return this.alone !== undefined && this.fresh(this.alone.since);
  }

  /**
   * Claims in turn. Undefined (held back, nothing asked, or nothing taken because one waits) while a
   * message is held alone, or while one waits to be and other messages are held: the caller asks again
   * once the messages it holds are done. `seesAll`: the claim looks at every due message (no profile or
   * id filter), so that when it hears of none waiting, none is.
   */
  claim(claimer: Claimer, seesAll = true): Promise<InboxItem[] | undefined> {
    const run = this.turn.then(async () => {
      const waitingFresh = this.waitingSince !== undefined && this.fresh(this.waitingSince);
      if (this.holdsAlone || (waitingFresh && this.ids.size > 0)) return undefined;
      let told = false;
      // Beside a message held alone that hangs past the bound, the wait for the next is as old as it.
      const waitStart = this.waitingSince ?? this.alone?.since;
      const items = await claimer({ aloneAllowed: this.ids.size === 0, makeWayForAlone: waitStart === undefined || this.fresh(waitStart),
        onAloneWaiting: () => (told = true) });
      // Waiting since it was first seen waiting (or since the message held alone before it was, which
      // hangs), not since the last claim: the bound holds.
      if (told) this.waitingSince ??= this.alone?.since ?? this.now();
      else if (seesAll) this.waitingSince = undefined;
      // Nothing taken because one waits: held back too, not "nothing due".
      if (told && items.length === 0) return undefined;
      for (const item of items) {
        this.ids.add(item.id);
        if (claimedAlone(item)) {
          this.alone = { id: item.id, since: this.now() };
          this.waitingSince = undefined;
        }
      }
      return items;
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** The item has its outcome (or its claim is given back): no longer held. */
  settled(id: number): void {
    this.ids.delete(id);
    if (this.alone?.id === id) this.alone = undefined;
  }

  private fresh(since: number): boolean {
    return this.now() - since < ALONE_WAIT_MS;
  }
}

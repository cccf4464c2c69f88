// What the messages of one processing group share, read once through the group's transaction: each
// profile, and every profile's own addresses. Only admins change these, never processing, so one read
// serves the whole group. A read that failed is not kept: the message that asked spends an attempt (its
// savepoint rolls back), and the next one reads again instead of failing on the same rejected promise.
import type { Db } from '../store/database.js';
import { getProfile, type Profile } from '../store/profiles.js';
import { everyProfileAddress } from './decision-profile.js';

export class GroupContext {
  private readonly profiles = new Map<number, Promise<Profile>>();
  private addresses: Promise<string[]> | null = null;

  constructor(
    private readonly trx: Db,
    readonly replyTokenKey: Buffer | null,
  ) {}

  profile(id: number): Promise<Profile> {
    const kept = this.profiles.get(id);
    if (kept) return kept;
    const read = getProfile(this.trx, id);
    this.profiles.set(id, read);
    read.catch(() => {
      if (this.profiles.get(id) === read) this.profiles.delete(id);
    });
    return read;
  }

  allProfileAddresses(): Promise<string[]> {
    if (this.addresses) return this.addresses;
    const read = everyProfileAddress(this.trx);
    this.addresses = read;
    read.catch(() => {
      if (this.addresses === read) this.addresses = null;
    });
    return read;
  }
}

// Messages per hour by outcome over the last hours, for the dashboard's chart: every hour is present
// (an hour without mail has empty counts), oldest first, each starting on the hour, UTC.
import { countByHour } from '../store/inbox-stats.js';
import type { App } from './app.js';

export interface HourlyStats {
  hours: Array<{ at: string; counts: Record<string, number> }>;
}

const HOUR = 3_600_000;

export async function hourlyStats(app: App, hours = 24, now = new Date()): Promise<HourlyStats> {
  const thisHour = Math.floor(now.getTime() / HOUR) * HOUR;
  const first = thisHour - (hours - 1) * HOUR;
  const rows = await countByHour(app.store.db, new Date(first).toISOString());
  const slots = Array.from({ length: hours }, (_, i) => ({ at: new Date(first + i * HOUR).toISOString(), counts: {} as Record<string, number> }));
  for (const row of rows) {
    const slot = slots.find((s) => s.at.slice(0, 13) === row.hour);
    if (!slot) continue; // received "in the future" by a clock ahead of ours
    const outcome = row.outcome ?? 'pending';
    slot.counts[outcome] = (slot.counts[outcome] ?? 0) + row.count;
  }
  return { hours: slots };
}

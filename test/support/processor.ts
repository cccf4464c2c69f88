// A Processor over a test store with the builtin tracker, as the service assembles it (app/app.ts).
import { Processor, type ProcessorOptions } from '../../src/engine/process.js';
import type { Store } from '../../src/store/database.js';
import { BuiltinTracker } from '../../src/tracker/builtin/index.js';

export function processorFor(store: Store, options: Partial<Omit<ProcessorOptions, 'store'>> = {}): Processor {
  return new Processor({ store, tracker: new BuiltinTracker(store.db), ownDomains: [], ...options });
}

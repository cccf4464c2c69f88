// `mailbind config apply FILE`: makes the database match a configuration document. The whole file is
// checked first, and refused with every problem named by its YAML path if any part is wrong; then
// every change runs in one transaction, so a failure halfway (a name taken meanwhile) changes nothing.
// Unchanged objects are not written and leave no audit entry: applying a file twice changes nothing.
// Objects missing from the file stay unless `prune` is given (see plan.ts for what pruning does).
import type { App } from '../app.js';
import { boundTo } from '../app.js';
import { translated } from '../error-translation.js';
import { userError, type FieldError } from '../errors.js';
import type { Principal } from '../principal.js';
import { planConfig, type ConfigChange } from './plan.js';
import { readConfigText } from './read.js';

export type { ConfigChange };

export interface ApplyOptions {
  /** Work out and return the plan; write nothing. */
  dryRun?: boolean;
  /** Delete what the file does not list (projects are only marked deleted). */
  prune?: boolean;
  /** Where passwordEnv variables are read; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

export function applyConfig(app: App, yamlText: string, who: Principal, options: ApplyOptions = {}): Promise<{ changes: ConfigChange[] }> {
  return translated(async () => {
    const read = readConfigText(yamlText);
    if ('errors' in read) throw refused(read.errors);
    const plan = await planConfig(app, read.document, { prune: options.prune ?? false, env: options.env ?? process.env });
    if (plan.errors.length) throw refused(plan.errors);
    if (options.dryRun || plan.runs.length === 0) return { changes: plan.changes };
    await app.store.db.transaction().execute(async (trx) => {
      const inTransaction = boundTo(app, trx);
      for (const run of plan.runs) await run(inTransaction, who);
    });
    return { changes: plan.changes };
  });
}

function refused(errors: FieldError[]) {
  const lines = errors.map((e) => `${e.field}: ${e.message}`);
  return userError(`the configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was changed\n${lines.join('\n')}`, { fields: errors });
}

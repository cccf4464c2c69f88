// `mailbind fetch --profile NAME --once`: one intake pass on the profile's mailbox and processing of
// what it brought, printed like `mailbind import`.
import { Command } from 'commander';
import { Processor, type ProcessResult } from '../engine/process.js';
import { runtimeSettings } from '../sources/profile-settings.js';
import { defaultSources } from '../sources/registry.js';
import { recordPollFailure, recordPollSuccess } from '../sources/status.js';
import { getProfile } from '../store/profiles.js';
import { SecretBox } from '../store/secrets.js';
import { action, common, printJsonLine, UserError, withStore, type CommonOptions } from './context.js';
import { humanLine, Summary, toImportLine } from './import-output.js';
import { nextDelayMs } from '../sources/scheduler.js';

export function fetchCommand(): Command {
  return common(new Command('fetch').description("read the profile's mailbox once, process what is new, and exit"))
    .requiredOption('--profile <name>', 'profile to fetch')
    .option('--once', 'one pass, then exit (the only mode; `mailbind worker` keeps polling)')
    .action(
      action(async (opts: CommonOptions & { profile: string }) =>
        withStore(opts, async (store) => {
          const profile = await getProfile(store.db, opts.profile);
          const settings = runtimeSettings(profile, SecretBox.forDataDir(store.dataDir));
          if (!settings || settings.protocol === 'pipe') throw new UserError(`profile '${profile.name}' has no mailbox to fetch from`);
          const source = defaultSources.source(settings, {});
          if (!source) throw new UserError(`no source for protocol ${settings.protocol}`);
          const processor = new Processor(store);
          const results: ProcessResult[] = [];
          try {
            const report = await source.poll({
              store,
              profile,
              settings,
              afterIntake: async () => void results.push(...(await processor.processDue({ profileId: profile.id }))),
            });
            await recordPollSuccess(store.db, profile.id, new Date(Date.now() + nextDelayMs(settings.pollSeconds, 0)).toISOString());
            const summary = new Summary();
            for (const result of results) {
              const line = toImportLine(result);
              summary.add(line);
              if (opts.json) printJsonLine(line);
              else process.stdout.write(humanLine(line) + '\n');
            }
            for (const failure of report.failed) process.stderr.write(`mailbind: could not download ${failure.key}: ${failure.error} (retried next time)\n`);
            (opts.json ? process.stderr : process.stdout).write(
              `${summary.toString()}; ${report.listed} on the server, ${report.stored} new, ${report.skipped} left alone, ${report.acknowledged} acknowledged\n`,
            );
          } catch (error) {
            await recordPollFailure(store.db, profile.id, (error as Error).message, new Date().toISOString());
            throw new UserError(`fetching '${profile.name}' failed: ${(error as Error).message}`);
          }
        }),
      ),
    );
}

// `chaos-action cleanup [--journal-path PATH]`: replays whatever the fault journals still hold,
// so containers are started and unpaused, networks reconnected and our iptables chains
// and hogs removed after a run that crashed or was killed. Safe to run any number of times.
// Without --journal it replays every journal left where runs write them (each CLI run writes
// its own); every entry is checked before anything runs (see faults/journal/replay.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findJournals, journalPlaces, revertAll } from '../faults/journal';
import { EXIT } from '../results/gate';
import { flagValue, parseCommandLine, UsageError } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';

/** Where the CLI wrote its journal before journals were per run; never replayed unasked. */
const LEGACY_JOURNAL = path.join('.chaos-action', 'journal.json');

export async function cleanupCommand(argv: string[]): Promise<number> {
  let journalPath: string | undefined;
  try {
    const line = parseCommandLine('cleanup', argv[0] === 'cleanup' ? argv.slice(1) : argv);
    if (line.help) {
      process.stdout.write(
        `${commandHelp('cleanup')}\n${journalPlaces()
          .map((p) => `  ${p}`)
          .join('\n')}\n`,
      );
      return EXIT.passed;
    }
    sayNotices('cleanup', line.notices);
    if (line.positional.length) throw new UsageError(`unexpected argument "${line.positional[0]}"`);
    journalPath = flagValue(line, 'journal-path');
  } catch (error) {
    const code = inputFailure('cleanup', error);
    if (code !== null) return code;
    throw error;
  }
  const log = (line: string) => process.stdout.write(`cleanup: ${line}\n`);
  let journals: string[];
  if (journalPath !== undefined) journals = [path.resolve(journalPath)];
  else {
    const found = findJournals();
    for (const why of found.refused) say('cleanup', `not reading journals there: ${why}`);
    if (found.refused.length) return EXIT.failed;
    journals = found.files;
    if (existsSync(LEGACY_JOURNAL))
      log(
        `${LEGACY_JOURNAL} (an older version's journal) is not replayed unasked; run cleanup --journal-path ${LEGACY_JOURNAL}`,
      );
    if (journals.length === 0) {
      log(`no journal left (looked in ${journalPlaces().join(', ')}): nothing to revert`);
      return 0;
    }
  }
  let reverted = 0;
  let failed = 0;
  let refused = 0;
  let unreadable = 0;
  for (const journal of journals) {
    try {
      const result = await revertAll(journal, log);
      reverted += result.reverted;
      failed += result.failed;
      refused += result.refused ?? 0;
    } catch (error) {
      // A file that is not a journal at all: say so, and go on with the others.
      say('cleanup', error instanceof Error ? error.message : String(error));
      unreadable += 1;
    }
  }
  if (unreadable > 0) return EXIT.failed;
  if (failed > 0 || refused > 0) {
    const parts = [
      failed ? `${failed} could not be fully reverted` : '',
      refused ? `${refused} refused` : '',
    ];
    say(
      'cleanup',
      `${parts.filter(Boolean).join(', ')}; they stay in ${journals.length === 1 ? journals[0] : 'their journals'}`,
    );
    return EXIT.failed;
  }
  log(`${reverted} fault(s) reverted`);
  return 0;
}

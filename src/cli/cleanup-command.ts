// `chaos-action cleanup [--journal PATH]`: replays whatever the fault journals still hold,
// so containers are started and unpaused, networks reconnected and our iptables chains
// and hogs removed after a run that crashed or was killed. Safe to run any number of times.
// Without --journal it replays every journal left where runs write them (each CLI run writes
// its own); every entry is checked before anything runs (see faults/journal/replay.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findJournals, journalPlaces, revertAll } from '../faults/journal';
import { EXIT } from '../results/gate';

const USAGE = `usage: chaos-action cleanup [--journal PATH]
  Reverts every fault left in the journal PATH, or, without --journal, in every journal left
  where runs write them (one per run; journal.json is where the Action writes on a runner):
  ${journalPlaces().join('\n  ')}
  Run it as the user that ran chaos-action (each user has directories of their own; one that
  another user owns or can write to is not read).
  An entry that fails its checks is refused, named with the field at fault, and kept.
exit: 0 everything reverted, 2 usage, 4 an entry failed or was refused (it stays in its journal)`;

/** Where the CLI wrote its journal before journals were per run; never replayed unasked. */
const LEGACY_JOURNAL = path.join('.chaos-action', 'journal.json');

export async function cleanupCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'cleanup' ? argv.slice(1) : [...argv];
  let journalPath: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--journal' && args[i + 1]) journalPath = args[++i];
    else if (arg.startsWith('--journal=')) journalPath = arg.slice('--journal='.length);
    else {
      process.stderr.write(`cleanup: unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
  const log = (line: string) => process.stdout.write(`cleanup: ${line}\n`);
  let journals: string[];
  if (journalPath !== undefined) journals = [path.resolve(journalPath)];
  else {
    const found = findJournals();
    for (const why of found.refused) process.stderr.write(`cleanup: not reading journals there: ${why}\n`);
    if (found.refused.length) return EXIT.failed;
    journals = found.files;
    if (existsSync(LEGACY_JOURNAL))
      log(
        `${LEGACY_JOURNAL} (an older version's journal) is not replayed unasked; run cleanup --journal ${LEGACY_JOURNAL}`,
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
      process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
      unreadable += 1;
    }
  }
  if (unreadable > 0) return EXIT.failed;
  if (failed > 0 || refused > 0) {
    const parts = [
      failed ? `${failed} could not be fully reverted` : '',
      refused ? `${refused} refused` : '',
    ];
    process.stderr.write(
      `cleanup: ${parts.filter(Boolean).join(', ')}; they stay in ${journals.length === 1 ? journals[0] : 'their journals'}\n`,
    );
    return EXIT.failed;
  }
  log(`${reverted} fault(s) reverted`);
  return 0;
}

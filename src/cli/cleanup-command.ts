// `chaos-action cleanup [--journal PATH]`: replays whatever the fault journal still holds,
// so containers are started and unpaused, networks reconnected and our iptables chains
// and hogs removed after a run that crashed or was killed. Safe to run any number of times.
import { defaultJournalPath } from '../faults';
import { revertAll } from '../faults/journal';

const USAGE = `usage: chaos-action cleanup [--journal PATH]
  Reverts every fault left in the journal (default: $CHAOS_JOURNAL, else
  $RUNNER_TEMP/chaos-action/journal.json, else ./.chaos-action/journal.json).`;

export async function cleanupCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'cleanup' ? argv.slice(1) : [...argv];
  let journalPath = defaultJournalPath();
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
  try {
    const result = await revertAll(journalPath, (line) => process.stdout.write(`cleanup: ${line}\n`));
    if (result.failed > 0) {
      process.stderr.write(
        `cleanup: ${result.failed} fault(s) could not be fully reverted; they stay in ${journalPath}\n`,
      );
      return 1;
    }
    process.stdout.write(`cleanup: ${result.reverted} fault(s) reverted\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// Replaying a journal: whatever entries a crash left are reverted, newest fault first.
// Replay trusts nothing it reads: each entry is checked against a strict schema (schema.ts)
// and against the engine (replay-guard.ts) before any step runs, and a refused entry stays
// for a person.
import { quoteValue } from '../quote';
import type { JournalEntry } from './entry';
import { checkEntryOnHost } from './replay-guard';
import { executeStep } from './revert-steps';
import { checkJournalEntry } from './schema';
import { Journal, replayOrder } from './store';

/** Runs an entry's steps in order; true when every step succeeded (tolerated ones included). */
export async function revertEntry(entry: JournalEntry, log: (line: string) => void): Promise<boolean> {
  let allOk = true;
  for (const step of entry.steps) {
    const outcome = await executeStep(step, entry.project);
    log(`  ${outcome.ok ? 'ok' : 'FAILED'} ${outcome.message}`);
    allOk &&= outcome.ok;
  }
  return allOk;
}

export interface RevertAllResult {
  reverted: number;
  failed: number;
  /** Entries refused by the checks (present only when some were): they stay in the journal. */
  refused?: number;
}

export interface RevertAllOptions {
  /** Replay only this run's entries (a run's own teardown); absent: every entry (cleanup). */
  runId?: string;
  /**
   * The compose projects this run created: an entry of any other project is refused and kept,
   * whatever project it names (see replay-guard.ts). Absent: `cleanup`, which has no run.
   */
  projects?: readonly string[];
}

/** How a refused entry is named in its report line, whatever its id looks like. */
function entryLabel(raw: unknown, index: number): string {
  const entry = (raw ?? {}) as Partial<JournalEntry>;
  const id = typeof entry.id === 'string' && /^[0-9a-f]{8}$/.test(entry.id) ? entry.id : null;
  const kind = typeof entry.kind === 'string' ? `${quoteValue(entry.kind)}, ` : '';
  const project = typeof entry.project === 'string' ? `project ${quoteValue(entry.project)}` : 'no project';
  return `entry ${id ?? `#${index + 1} (id ${quoteValue(entry.id)})`} (${kind}${project})`;
}

/**
 * Replays whatever the journal still holds, newest fault first. Idempotent and tolerant:
 * running it twice, or on a journal whose faults were half reverted, is safe. Entries that
 * reverted cleanly are removed; failed ones stay for the next attempt. Before an entry's
 * steps run, it is checked: its shape (schema.ts), then the project and what it names on the
 * host (replay-guard.ts). Reading the journal checks its directory and file first (trust.ts). A refused entry is reported in one line naming it and the field, and
 * stays in the journal for a person to look at.
 */
export async function revertAll(
  journalPath: string,
  log: (line: string) => void,
  options: RevertAllOptions = {},
): Promise<RevertAllResult> {
  const journal = new Journal(journalPath);
  const file = journal.read();
  const all = replayOrder(file).map((raw) => ({ raw, index: file.entries.indexOf(raw) }));
  const mine = options.runId === undefined ? all : all.filter(({ raw }) => raw?.runId === options.runId);
  const others = all.length - mine.length;
  const scope = options.runId === undefined ? '' : ` of run ${options.runId}`;
  const leftAlone = others ? ` (${others} entr${others === 1 ? 'y' : 'ies'} of other runs left alone)` : '';
  if (mine.length === 0) {
    log(`journal ${journalPath}: nothing to revert${scope}${leftAlone}`);
    return { reverted: 0, failed: 0 };
  }
  log(`journal ${journalPath}: reverting ${mine.length} fault(s)${scope}${leftAlone}`);
  const result: RevertAllResult = { reverted: 0, failed: 0 };
  const refuse = (raw: unknown, index: number, field: string, message: string) => {
    log(
      `${entryLabel(raw, index)}: refused, ${field}: ${message}; kept in ${journalPath} for a person to look at`,
    );
    result.refused = (result.refused ?? 0) + 1;
  };
  for (const { raw, index } of mine) {
    const check = checkJournalEntry(raw);
    if (!check.ok) {
      refuse(raw, index, check.field, check.message);
      continue;
    }
    const entry = check.entry;
    let refusal;
    try {
      refusal = await checkEntryOnHost(entry, { projects: options.projects });
    } catch (error) {
      log(`${entryLabel(raw, index)}: cannot check it against the engine: ${(error as Error).message}`);
      result.failed += 1;
      continue;
    }
    if (refusal) {
      refuse(raw, index, refusal.field, refusal.message);
      continue;
    }
    log(
      `${entry.kind} ${entry.id} (project ${entry.project}, injected ${entry.createdAt} by pid ${entry.pid}):`,
    );
    if (await revertEntry(entry, log)) {
      await journal.remove(entry.id);
      result.reverted += 1;
    } else result.failed += 1;
  }
  return result;
}

// The strict shape of a journal entry, checked before any of its steps runs. A journal is a
// file: whoever can write it (a crashed run, a hand edit, a file planted in a checkout or in a
// shared temp directory) chooses what replay does, as root. So every field that reaches a
// command, the Docker API or /proc must have exactly the shape our faults write, and nothing
// else: chain names of our own, known tables, hex ids, small integers. Pure: data in, verdict out.
import { z } from 'zod';
import { CHAIN_NAME } from '../network/iptables';
import { quoteValue } from '../quote';
import type { JournalEntry } from './entry';

/** A fault's id: newFaultId()'s 4 random bytes in hex; also the middle of its chain names. */
export const FAULT_ID = /^[0-9a-f]{8}$/;
/** A run's id, as currentRunId() makes it (file-name safe). */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Compose's own rule for project names. */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const NETWORK_ID = /^[0-9a-f]{12,64}$/;
/** Docker's rule for container and network names, and for network aliases. */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
/** A network device (IFNAMSIZ is 16 with the NUL). */
const DEVICE = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,14}$/;
/** Clock ticks since boot, as /proc/PID/stat field 22 prints them. */
const START_TICKS = /^[0-9]{1,20}$/;
/** Text that is only ever logged: printable, no control characters, bounded. */
const LOG_TEXT = /^[^\p{Cc}]{0,200}$/u;

const containerId = z.string().regex(CONTAINER_ID, 'must be a Docker container id (12 to 64 hex digits)');
const containerName = z.string().regex(DOCKER_NAME, 'must be a Docker container name');
/** pid_max is at most 2^22; 1 is init, never ours. */
const pid = z
  .number()
  .int()
  .min(2, 'must be a process id above 1')
  .max(2 ** 22, 'must be at most 2^22 (pid_max)');
const startTicks = z.string().regex(START_TICKS, 'must be a process start time in clock ticks (digits)');
const what = z.string().regex(LOG_TEXT, 'must be one line of at most 200 printable characters');

const stepSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('start-container'), containerId, name: containerName }),
  z.strictObject({ op: z.literal('unpause-container'), containerId, name: containerName }),
  z.strictObject({
    op: z.literal('remove-chain'),
    containerId,
    name: containerName,
    table: z.enum(['filter', 'nat'], 'must be "filter" or "nat"'),
    parent: z.literal('OUTPUT', 'must be "OUTPUT"'),
    chain: z.string().regex(CHAIN_NAME, 'must be CHAOS-<8 hex digits>-DROP or CHAOS-<8 hex digits>-DNAT'),
  }),
  z.strictObject({
    op: z.literal('network-connect'),
    containerId,
    name: containerName,
    networkId: z.string().regex(NETWORK_ID, 'must be a Docker network id (12 to 64 hex digits)'),
    networkName: z.string().regex(DOCKER_NAME, 'must be a Docker network name'),
    aliases: z.array(z.string().regex(DOCKER_NAME, 'must be a network alias (a DNS name)')).max(32),
  }),
  z.strictObject({ op: z.literal('kill-process'), pid, startTicks, what }),
  z.strictObject({
    op: z.literal('restore-oom-score'),
    pid,
    startTicks,
    value: z.number().int().min(-1000, 'must be at least -1000').max(1000, 'must be at most 1000'),
    what,
  }),
  z.strictObject({
    op: z.literal('remove-qdisc'),
    containerId,
    name: containerName,
    device: z.string().regex(DEVICE, 'must be a network device name'),
  }),
]);

const entrySchema = z.strictObject({
  id: z.string().regex(FAULT_ID, 'must be 8 hex digits'),
  runId: z.string().regex(RUN_ID, 'must be a run id (letters, digits, . _ -)').optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a fault kind'),
  project: z.string().regex(PROJECT_NAME, 'must be a compose project name'),
  createdAt: z.string().regex(/^[0-9T:.Z+-]{1,40}$/, 'must be an ISO timestamp'),
  pid: z.number().int().positive(),
  steps: z.array(stepSchema).max(256, 'must hold at most 256 steps'),
});

export type EntryCheck = { ok: true; entry: JournalEntry } | { ok: false; field: string; message: string };

/** steps[0].chain, from zod's path ['steps', 0, 'chain']. */
function fieldName(path: PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value: unknown = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/**
 * Checks one journal entry (as read from the file, of any shape) field by field. Beyond the
 * shape: a chain must be the entry's own (CHAOS-<entry id>-…), DROP chains live in the filter
 * table and DNAT chains in the nat table, as our faults create them.
 */
export function checkJournalEntry(data: unknown): EntryCheck {
  const parsed = entrySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Zod names the key itself for an unknown field, and the received type for a wrong one.
    const got =
      issue.code === 'unrecognized_keys' || issue.code === 'invalid_type'
        ? ''
        : `, got ${quoteValue(valueAt(data, issue.path))}`;
    return { ok: false, field: fieldName(issue.path) || 'entry', message: `${issue.message}${got}` };
  }
  const entry = parsed.data as JournalEntry;
  for (const [i, step] of entry.steps.entries()) {
    if (step.op !== 'remove-chain') continue;
    const expected = `CHAOS-${entry.id}-${step.table === 'filter' ? 'DROP' : 'DNAT'}`;
    if (step.chain !== expected) {
      return {
        ok: false,
        field: `steps[${i}].chain`,
        message: `must be this entry's ${step.table} chain ${expected}, got ${quoteValue(step.chain)}`,
      };
    }
  }
  return { ok: true, entry };
}

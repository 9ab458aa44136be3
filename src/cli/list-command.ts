// `chaos-action list [--scenarios-dir D]... [--suite S] [--json]`: the built-in and user scenarios
// with their title, target, fault and the suites they belong to. No Docker.
import { builtinScenariosDir, loadCatalog, selectScenarios, suitesOf } from '../config/load-scenarios';
import type { Scenario } from '../config/scenario-schema';
import { formatShortDuration as d } from '../config/units';
import type { FaultSpec } from '../faults/spec';
import { EXIT } from '../results/gate';
import { flagSwitch, flagValue, parseCommandLine, UsageError } from './args';
import { commandHelp, inputFailure, sayNotices } from './help';

/** One line about a fault: "stop 30s", "latency +100ms ±10ms 30s", "none". */
export function describeFault(fault: FaultSpec | null): string {
  if (!fault) return 'none (load only)';
  switch (fault.type) {
    case 'stop':
    case 'pause':
    case 'stall':
    case 'down':
    case 'reset_peer':
      return `${fault.type} ${d(fault.durationMs)}`;
    case 'kill':
      return `kill ${fault.signal}`;
    case 'flap':
      return `flap ${d(fault.downMs)} down / ${d(fault.upMs)} up for ${d(fault.durationMs)}`;
    case 'partition':
      return `partition (${fault.mode})${fault.from ? ` from ${fault.from}` : ''} ${d(fault.durationMs)}`;
    case 'latency':
      return `latency +${d(fault.delayMs)}${fault.jitterMs ? ` ±${d(fault.jitterMs)}` : ''} ${d(fault.durationMs)}`;
    case 'bandwidth':
      return `bandwidth ${Math.round(fault.rateBytesPerSecond / 1024)}KiB/s ${d(fault.durationMs)}`;
    case 'memory':
      return fault.method === 'leak-endpoint'
        ? `memory leak ${fault.path} every ${d(fault.intervalMs)} up to ${d(fault.durationMs)}`
        : `memory hog ${Math.round(fault.stepBytes / 1024 ** 2)}MiB every ${d(fault.intervalMs)} up to ${d(fault.durationMs)}`;
    case 'cpu':
      return `cpu ${fault.workers} worker${fault.workers === 1 ? '' : 's'} ${d(fault.durationMs)}`;
  }
}

export function describeTarget(s: Scenario): string {
  if (s.expansion)
    return s.expansion.over === 'instance'
      ? 'each: one instance'
      : `each dependency${s.expansion.kind ? ` (${s.expansion.kind})` : ''}`;
  const targets = s.faults.length > 1 ? s.faults.map((f) => f.target) : [s.target];
  return [...new Set(targets.map(targetName))].join(', ');
}

function targetName(t: Scenario['target']): string {
  return t.role !== null ? `role ${t.role}` : `service ${t.service}`;
}

/** Every fault of the scenario in injection order; after the first, each with its start in the fault phase. */
export function describeFaults(s: Scenario): string {
  if (s.faults.length <= 1) return describeFault(s.fault);
  return s.faults
    .map((f) => `${describeFault(f.spec)} on ${targetName(f.target)} at +${d(f.atMs)}`)
    .join('; ');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

export async function listCommand(argv: string[]): Promise<number> {
  try {
    const line = parseCommandLine('list', argv[0] === 'list' ? argv.slice(1) : argv);
    if (line.help) {
      process.stdout.write(`${commandHelp('list')}\n`);
      return EXIT.passed;
    }
    sayNotices('list', line.notices);
    if (line.positional.length) throw new UsageError(`unexpected argument "${line.positional[0]}"`);
    const userDirs = line.values.get('scenarios-dir') ?? [];
    const suite = flagValue(line, 'suite') ?? null;
    const builtin = flagSwitch(line, 'builtin-scenarios', true);
    const catalog = loadCatalog({ builtinDir: builtin ? builtinScenariosDir() : null, userDirs });
    const scenarios = suite
      ? selectScenarios(catalog, { suite })
      : [...catalog.scenarios.values()].sort((a, b) => a.name.localeCompare(b.name));
    const rows = scenarios.map((s) => ({
      name: s.name,
      title: s.title,
      target: describeTarget(s),
      fault: describeFaults(s),
      suites: suitesOf(catalog, s.name),
      builtin: s.builtin,
      file: s.file,
    }));
    if (flagSwitch(line, 'json', false)) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      const header = ['NAME', 'TARGET', 'FAULT', 'SUITES', 'TITLE'];
      const body = rows.map((r) => [
        r.builtin ? r.name : `${r.name} (user)`,
        r.target,
        r.fault,
        r.suites.join(', ') || '-',
        r.title,
      ]);
      process.stdout.write(`${table([header, ...body])}\n`);
    }
    for (const note of catalog.notes) process.stderr.write(`note: ${note}\n`);
    return EXIT.passed;
  } catch (error) {
    const code = inputFailure('list', error);
    if (code !== null) return code;
    throw error;
  }
}

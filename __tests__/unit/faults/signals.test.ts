// What a kill fault's signal can be seen to do to a container's main process, from
// /proc/PID/status as the kernel writes it (pure; the real thing is in the integration tests).
import {
  hasSignal,
  isPending,
  killSignalProblem,
  parseProcStatus,
  parseSignal,
  signalOutcome,
  type SignalInfo,
} from '../../../src/faults/containers/signals';

// A shell as a container's init with `trap … USR1` (SIGINT, SIGUSR1 and SIGCHLD caught).
const SH_INIT = `Name:\tsh
Umask:\t0022
State:\tS (sleeping)
Tgid:\t20894
NSpid:\t20894\t1
SigQ:\t0/96364
SigPnd:\t0000000000000000
ShdPnd:\t0000000000000000
SigBlk:\t0000000000000000
SigIgn:\t0000000000000000
SigCgt:\t0000000000010202
`;
// python3 as a container's init: SIGINT caught; SIGPIPE and SIGXFSZ ignored.
const PYTHON_INIT = SH_INIT.replace('Name:\tsh', 'Name:\tpython3')
  .replace('SigIgn:\t0000000000000000', 'SigIgn:\t0000000001001000')
  .replace('SigCgt:\t0000000000010202', 'SigCgt:\t0000000000000002');
// The same python3 outside a PID namespace of its own (pid: host).
const PYTHON_HOST = PYTHON_INIT.replace('NSpid:\t20894\t1', 'NSpid:\t20894');

const sig = (name: string) => parseSignal(name) as SignalInfo;

test('signal names, numbers and default actions', () => {
  expect(parseSignal('SIGUSR1')).toEqual({ name: 'SIGUSR1', number: 10, defaultAction: 'terminate' });
  expect(parseSignal('usr1')).toEqual(parseSignal('SIGUSR1'));
  expect(parseSignal('10')).toEqual(parseSignal('SIGUSR1'));
  expect(parseSignal('SIG10')).toEqual(parseSignal('SIGUSR1'));
  expect(parseSignal('SIGCHLD')?.defaultAction).toBe('ignore');
  expect(parseSignal('SIGTSTP')?.defaultAction).toBe('stop');
  expect(parseSignal('SIGQUIT')?.defaultAction).toBe('core');
  expect(parseSignal('40')).toEqual({ name: 'SIG40', number: 40, defaultAction: 'terminate' });
  expect(parseSignal('SIGFOO')).toBeNull();
  expect(parseSignal('32')).toBeNull();
});

test('validation refuses unknown signals and SIGSTOP (nothing would resume it)', () => {
  expect(killSignalProblem('SIGFOO')).toMatch(/unknown signal "SIGFOO"/);
  expect(killSignalProblem('SIGSTOP')).toMatch(/SIGSTOP .* use type pause/);
  for (const ok of ['SIGKILL', 'SIGTERM', 'SIGHUP', 'USR1', 'SIGCONT', '9'])
    expect(killSignalProblem(ok)).toBeNull();
});

test('/proc/PID/status: masks, namespace PIDs, pending bits', () => {
  const status = parseProcStatus(SH_INIT);
  expect(status.command).toBe('sh');
  expect(status.nsPids).toEqual([20894, 1]);
  expect(hasSignal(status.caught, 2)).toBe(true);
  expect(hasSignal(status.caught, 10)).toBe(true);
  expect(hasSignal(status.caught, 17)).toBe(true);
  expect(hasSignal(status.caught, 12)).toBe(false);
  expect(isPending(status, 10)).toBe(false);
  expect(
    isPending(parseProcStatus(SH_INIT.replace('ShdPnd:\t0000000000000000', 'ShdPnd:\t0000000000000200')), 10),
  ).toBe(true);
  expect(() => parseProcStatus('Name:\tx\n')).toThrow(/no SigPnd line/);
});

test("what a signal does to a container's init: handled, or nothing at all when unhandled", () => {
  expect(signalOutcome(sig('SIGUSR1'), parseProcStatus(SH_INIT)).kind).toBe('handled');
  // python3 as init has no handler for SIGUSR1 or SIGHUP: the kernel drops them.
  expect(signalOutcome(sig('SIGUSR1'), parseProcStatus(PYTHON_INIT))).toEqual({
    kind: 'nothing',
    why: "it has no handler for it, and the kernel drops such signals for a container's init (PID 1)",
  });
  expect(signalOutcome(sig('SIGPIPE'), parseProcStatus(PYTHON_INIT))).toEqual({
    kind: 'nothing',
    why: 'it ignores it',
  });
  // KILL and STOP reach an init from outside its namespace whatever it does.
  expect(signalOutcome(sig('SIGKILL'), parseProcStatus(PYTHON_INIT)).kind).toBe('death');
  expect(signalOutcome(sig('SIGSTOP'), parseProcStatus(PYTHON_INIT)).kind).toBe('stop');
});

test('outside a PID namespace of its own the default action applies', () => {
  expect(signalOutcome(sig('SIGUSR1'), parseProcStatus(PYTHON_HOST)).kind).toBe('death');
  expect(signalOutcome(sig('SIGTSTP'), parseProcStatus(PYTHON_HOST)).kind).toBe('stop');
  expect(signalOutcome(sig('SIGWINCH'), parseProcStatus(PYTHON_HOST))).toEqual({
    kind: 'nothing',
    why: 'its default action is to ignore',
  });
});

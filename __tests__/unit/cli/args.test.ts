// The command line, read against the registry: one name per flag, switches written three ways,
// `--` before arguments, old names with a notice, and a clear error for everything else.
import { parseCommandLine, runSettingsFromFlags, UsageError } from '../../../src/cli/args';

const usage = (argv: string[], command: Parameters<typeof parseCommandLine>[0] = 'run'): string => {
  try {
    parseCommandLine(command, argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'no error';
};

describe('parseCommandLine', () => {
  it('takes --name VALUE and --name=VALUE, and a list flag many times', () => {
    const line = parseCommandLine('run', [
      '--compose-file',
      'a.yml',
      '--compose-file=b.yml',
      '--results-dir=out',
      '--params',
      'a=1',
      '--params',
      'b=2',
    ]);
    expect(Object.fromEntries(line.values)).toEqual({
      'compose-file': ['a.yml', 'b.yml'],
      'results-dir': ['out'],
      params: ['a=1', 'b=2'],
    });
    expect(runSettingsFromFlags(line)).toEqual({
      'compose-file': ['a.yml', 'b.yml'],
      'results-dir': 'out',
      params: ['a=1', 'b=2'],
    });
  });

  it('reads a switch as --name, --name=false and --no-name; --name=false is false', () => {
    const on = parseCommandLine('run', ['--fail-on-violation']);
    expect(on.values.get('fail-on-violation')).toEqual(['true']);
    const off = parseCommandLine('run', ['--fail-on-inconclusive=false', '--no-fail-on-error']);
    expect(Object.fromEntries(off.values)).toEqual({
      'fail-on-inconclusive': ['false'],
      'fail-on-error': ['false'],
    });
    expect(parseCommandLine('list', ['--json=false']).values.get('json')).toEqual(['false']);
    expect(usage(['--fail-on-error=maybe'])).toBe('--fail-on-error: "maybe" is not true or false');
    // A switch never takes the next argument as its value.
    expect(parseCommandLine('validate', ['--json', 'a.yml']).positional).toEqual(['a.yml']);
  });

  it('takes everything after -- as arguments, even what looks like a flag', () => {
    const line = parseCommandLine('validate', ['--json', '--', '--weird.yml', '-h']);
    expect(line.positional).toEqual(['--weird.yml', '-h']);
    expect(line.help).toBe(false);
  });

  it('refuses a flag as the value of another, unless written with =', () => {
    expect(usage(['--results-dir', '--scale', '2'])).toBe(
      '--results-dir needs a value, and --scale looks like a flag (write --results-dir=--scale if it is the value)',
    );
    expect(parseCommandLine('run', ['--results-dir=--odd']).values.get('results-dir')).toEqual(['--odd']);
    expect(usage(['--results-dir'])).toBe('--results-dir needs a value');
  });

  it('names an unknown flag, the closest one, or the command it belongs to', () => {
    expect(usage(['--sutie', 'full'])).toBe('unknown flag --sutie (did you mean --suite?)');
    expect(usage(['--namespace', 'shop'])).toBe('unknown flag --namespace (it is a flag of render)');
    expect(usage(['-x'])).toBe('unknown option -x (flags are written --name; -h is the only short one)');
    expect(usage(['--scale', '1', '--scale', '2'])).toBe('--scale is given twice');
  });

  it('takes the old names, each with a notice naming the new one', () => {
    const line = parseCommandLine('run', [
      '--compose',
      'a.yml',
      '--results',
      'out',
      '--baseline',
      'b.json',
      '--pushgateway',
      'http://pg:9091',
      '--no-fail',
      '--scenario',
      'load-test',
      '--param',
      'a=1',
      '--journal',
      'j.json',
      '--config',
      'c.yml',
    ]);
    expect(Object.fromEntries(line.values)).toEqual({
      'compose-file': ['a.yml'],
      'results-dir': ['out'],
      'baseline-results': ['b.json'],
      'pushgateway-url': ['http://pg:9091'],
      'fail-on-violation': ['false'],
      scenarios: ['load-test'],
      params: ['a=1'],
      'journal-path': ['j.json'],
      'config-file': ['c.yml'],
    });
    expect(line.notices).toEqual([
      '--compose is deprecated: use --compose-file',
      '--results is deprecated: use --results-dir',
      '--baseline is deprecated: use --baseline-results',
      '--pushgateway is deprecated: use --pushgateway-url',
      '--no-fail is deprecated: use --fail-on-violation=false',
      '--scenario is deprecated: use --scenarios',
      '--param is deprecated: use --params',
      '--journal is deprecated: use --journal-path',
      '--config is deprecated: use --config-file',
    ]);
    const judge = parseCommandLine('judge', [
      '--rendered',
      'r',
      '--nodes',
      'n.json',
      '--prometheus',
      'http://p',
    ]);
    expect([...judge.values.keys()]).toEqual(['k8s-rendered', 'k8s-nodes', 'prometheus-url']);
    expect(parseCommandLine('list', ['--no-builtin']).values.get('builtin-scenarios')).toEqual(['false']);
  });

  it('counts an old and a new name of one setting as the same flag', () => {
    expect(usage(['--results', 'a', '--results-dir', 'b'])).toBe('--results-dir is given twice');
  });
});

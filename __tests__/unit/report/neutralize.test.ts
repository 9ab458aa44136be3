// Text from the stack or a scenario is neutralized where it is rendered: no mention or issue
// reference in markdown, no workflow command in an Actions log, no escape sequence on a terminal.
import { Writable } from 'node:stream';
import { createProgress } from '../../../src/cli/progress';
import {
  neutralizeMentions,
  neutralizeUrls,
  neutralizeWorkflowCommands,
  terminalText,
} from '../../../src/report/escape';
import { renderReport } from '../../../src/report/markdown';
import { renderTerminalTable } from '../../../src/report/terminal';
import { buildRun, buildScenario, buildThreshold, failingScenario } from '../../helpers/sample-results';

/** A mention or reference GitHub would act on: @name or #digits not broken by a joiner. */
const LIVE_MENTION = /(^|[^A-Za-z0-9])@[A-Za-z0-9]/m;
const LIVE_REFERENCE = /#\d|\bGH-\d/i;
/** A line the Actions runner would run as a workflow command. */
const COMMAND_LINE = /^\s*(::|##\[)/m;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('mentions and references in markdown', () => {
  it('breaks @users, @org/teams, #123 and GH-123, and leaves e-mail addresses alone', () => {
    const out = neutralizeMentions('ping @octocat and @acme/sre about #123 (GH-45); mail ops@example.com');
    expect(out).not.toMatch(LIVE_MENTION);
    expect(out).not.toMatch(LIVE_REFERENCE);
    expect(out).toContain('ops@example.com');
    // Invisible: the text reads the same once the joiners are removed.
    expect(out.replace(/\u2060/g, '')).toBe(
      'ping @octocat and @acme/sre about #123 (GH-45); mail ops@example.com',
    );
  });

  it('leaves none live in the report, from the title, hypothesis, threshold detail, reason or log lines', () => {
    const hostile = 'cc @octocat @acme/sre see #42';
    const failing = failingScenario();
    const scenario = {
      ...failing,
      title: `Redis down ${hostile}`,
      hypothesis: `It holds ${hostile}`,
      reason: `stack said ${hostile}`,
      outcome: 'error' as const,
      thresholds: [buildThreshold({ passed: false, actual: `12 ${hostile}`, detail: `line: ${hostile}` })],
      notes: [`note ${hostile}`],
      logMatches: [{ service: 'api', line: `ERROR ${hostile}`, atMs: null }],
    };
    const md = renderReport(buildRun([scenario, buildScenario({ name: 'load-test' })]));
    expect(md).toContain('octocat');
    expect(md).not.toMatch(LIVE_MENTION);
    expect(md).not.toMatch(LIVE_REFERENCE);
  });
});

describe('workflow commands in the Actions log', () => {
  it('makes every line that would be a command inert, and keeps the rest as it is', () => {
    const text =
      'reason: bad\n::warning file=README.md,line=1::x\n   ::add-mask::secret\n##[error]y\nok :: fine';
    const out = neutralizeWorkflowCommands(text);
    expect(out).not.toMatch(COMMAND_LINE);
    expect(out.split('\n')).toHaveLength(5);
    expect(out.split('\n')[4]).toBe('ok :: fine');
    expect(out.replace(/\u2060/g, '')).toBe(text);
  });
});

describe('the terminal', () => {
  const hostile = 'boom\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\r\nnext line\u202eevil';

  it('shows escape sequences and control characters instead of running them, on one line', () => {
    const out = terminalText(hostile);
    expect(out).not.toMatch(CONTROL);
    expect(out).not.toContain('\n');
    expect(out).not.toContain('\u202e');
    expect(out).toContain('\\x1b]0;pwned');
  });

  it('keeps the CLI table free of them, one row per scenario', () => {
    const scenario = {
      ...buildScenario({ name: 'redis-failure' }),
      outcome: 'error' as const,
      reason: hostile,
    };
    const table = renderTerminalTable(buildRun([scenario]));
    expect(table).not.toMatch(CONTROL);
    expect(table.split('\n')).toHaveLength(4);
  });

  it('keeps progress lines free of them', () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const progress = createProgress(stream, false);
    progress.log(`compose: ${hostile}`);
    progress.phase('redis-failure', 'fault', hostile);
    progress.scenarioDone({ ...buildScenario(), outcome: 'error', reason: hostile });
    progress.finish();
    expect(written.split('\n').filter(Boolean)).toHaveLength(3);
    expect(written.replace(/\n/g, '')).not.toMatch(CONTROL);
  });
});

describe('bare URLs in markdown (issue 27, finding 8)', () => {
  /** A URL or www link GitHub would turn into a link (and, for an issue's URL, a cross-reference). */
  const LIVE_URL = /\b[a-z][a-z0-9+.-]*:\/\/|\bwww\.[a-z0-9]/i;

  it('breaks http(s), other schemes and www links, invisibly', () => {
    const text =
      'see https://github.com/acme/shop/issues/1, http://10.0.0.1:8080/x, ftp://f.example and www.evil.example';
    const out = neutralizeUrls(text);
    expect(out).not.toMatch(LIVE_URL);
    expect(out.replace(/\u2060/g, '')).toBe(text);
  });

  it('leaves none live in the report, from a reason, a threshold value, a note or a log line', () => {
    const url = 'https://github.com/acme/shop/pull/9 www.evil.example';
    const scenario = {
      ...failingScenario(),
      reason: url,
      outcome: 'error' as const,
      thresholds: [buildThreshold({ passed: false, actual: url, limit: url })],
      notes: [url],
      logMatches: [{ service: 'api', line: url, atMs: null }],
    };
    const md = renderReport(buildRun([scenario], { runUrl: null }));
    expect(md).toContain('github.com/acme/shop/pull/9');
    expect(md).not.toMatch(LIVE_URL);
  });
});

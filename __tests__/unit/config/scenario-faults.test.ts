// Several faults in one scenario: `faults:` entries each with a target, `at:` and duration,
// normalised with the one-fault form into Scenario.faults; placement errors name file, line, field.
import { parseScenarioText, scaleScenario } from '../../../src/config/load-scenarios';
import { ConfigError } from '../../../src/config/errors';

const file = (faultPart: string, phases = '') => `name: demo
title: Demo
hypothesis: It holds.
${faultPart}
load:
  request: { path: /v1/predict }
  rate: 10/s
${phases}
thresholds:
  - fault: p95 < 500ms
`;

const TWO = `faults:
  - target: { role: cache }
    at: 0s
    type: stop
    duration: 40s
  - target: { service: prometheus }
    at: 5s
    type: pause
    duration: 20s`;

function issuesOf(text: string): string[] {
  try {
    parseScenarioText(text, 'demo.yml');
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((i) => `${i.file}:${i.line}: ${i.field}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('faults: (several faults)', () => {
  it('places each fault with its own target, start and duration; the phase ends with the last revert', () => {
    const s = parseScenarioText(file(TWO), 'demo.yml');
    expect(s.faults.map((f) => [f.target, f.spec.type, f.atMs, f.durationMs, f.lines.entry])).toEqual([
      [{ role: 'cache', service: null }, 'stop', 0, 40_000, 5],
      [{ role: null, service: 'prometheus' }, 'pause', 5_000, 20_000, 9],
    ]);
    expect(s.faults[0].spec).toMatchObject({ type: 'stop', durationMs: 40_000, stopTimeoutMs: 10_000 });
    expect(s.phases.faultMs).toBe(40_000);
    // The first fault stays readable where one-fault readers look.
    expect(s.target).toEqual({ role: 'cache', service: null });
    expect(s.fault).toBe(s.faults[0].spec);
    expect(s.requires.roles).toContain('cache');
  });

  it('keeps fault: (one) as a list of one at 0s lasting the phase', () => {
    const s = parseScenarioText(
      file('target: { role: cache }\nfault: { type: stop, duration: 12s }'),
      'x.yml',
    );
    expect(s.faults).toHaveLength(1);
    expect(s.faults[0]).toMatchObject({ atMs: 0, durationMs: 12_000, target: { role: 'cache' } });
    expect(s.phases.faultMs).toBe(12_000);
    const none = parseScenarioText(file('target: { role: api }\nfault: { type: none }'), 'x.yml');
    expect(none.faults).toEqual([]);
    expect(none.fault).toBeNull();
  });

  it('a fault without a duration (kill) lasts until the fault phase ends', () => {
    const s = parseScenarioText(
      file(
        `faults:\n  - { target: { role: cache }, at: 0s, type: stop, duration: 10s }\n  - { target: { role: api }, at: 2s, type: kill }`,
      ),
      'x.yml',
    );
    expect(s.faults[1]).toMatchObject({ atMs: 2_000, durationMs: 8_000 });
  });

  it('scales starts and durations with the phase', () => {
    const s = scaleScenario(parseScenarioText(file(TWO), 'demo.yml'), 0.1);
    expect(
      s.faults.map((f) => [f.atMs, f.durationMs, (f.spec as { durationMs: number }).durationMs]),
    ).toEqual([
      [0, 4_000, 4_000],
      [500, 2_000, 2_000],
    ]);
    expect(s.phases.faultMs).toBe(4_000);
    expect(s.fault).toBe(s.faults[0].spec);
  });

  it.each([
    [
      'a fault ending after phases.fault',
      file(TWO, 'phases: { fault: 20s }'),
      'demo.yml:12: faults[1].duration: at 5s + duration 20s = 25s ends after the fault phase (phases.fault: 20s)',
    ],
    [
      'phases.fault running past the last revert',
      file(TWO, 'phases: { fault: 60s }'),
      'phases.fault: 60s runs past the last revert (at 40s)',
    ],
    [
      'both fault and faults',
      file(`fault: { type: stop }\n${TWO}`),
      'demo.yml:6: faults: give either fault:',
    ],
    [
      'a top-level target with faults',
      file(`target: { role: api }\n${TWO}`),
      'demo.yml:4: target: with faults:',
    ],
    [
      'no fault at 0s',
      file(`faults:\n  - { target: { role: cache }, at: 3s, type: stop, duration: 5s }`),
      'demo.yml:5: faults[0].at: no fault starts at 0s',
    ],
    [
      'an entry without a target',
      file(`faults:\n  - { at: 0s, type: stop, duration: 5s }`),
      'demo.yml:5: faults[0].target: is required',
    ],
    [
      'a bad key of one entry',
      file(
        `faults:\n  - { target: { role: cache }, type: stop, duration: 5s }\n  - target: { role: api }\n    type: pause\n    duraton: 5s`,
      ),
      'demo.yml:8: faults[1].duraton: unknown key (did you mean "duration"?)',
    ],
    [
      'a bad at',
      file(`faults:\n  - { target: { role: cache }, at: soon, type: stop, duration: 5s }`),
      'faults[0].at:',
    ],
    [
      'type none in faults',
      file(`faults:\n  - { target: { role: cache }, type: none }`),
      'faults[0].type: none is not',
    ],
    ['neither fault nor faults', file('target: { role: api }'), 'fault: is required'],
  ])('rejects %s with file, line and field', (_, text, expected) => {
    const issues = issuesOf(text);
    expect(issues.join('\n')).toContain(expected);
  });
});

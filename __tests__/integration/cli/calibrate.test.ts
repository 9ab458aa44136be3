// `chaos-action calibrate` on the real example: load-test paired with itself (two compose
// projects at the same time), at short durations. It exits 0, prints the floor next to every
// measured comparison, writes calibration.json and the same object into results.json, and
// leaves neither project behind.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calibrateCommand } from '../../../src/cli/calibrate-command';
import type { Calibration } from '../../../src/compare/noise-floor';
import type { RunResult } from '../../../src/results';
import { NOTHING_LEFT, projectLeftovers } from '../../helpers/leftovers';

const root = path.join(__dirname, '../../..');
jest.setTimeout(180_000);

describe('chaos-action calibrate on the example', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-calibrate-'));
  let code: number;
  let out = '';
  let err = '';

  beforeAll(async () => {
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      code = await calibrateCommand([
        '--config-file',
        path.join(root, 'examples/fraud-api/chaos-action.yml'),
        '--scenarios',
        'load-test',
        // warm-up 5 s, baseline 10 s, 10 s of measured load, after 5 s: a phase needs 10 s of
        // load on each side to be compared at all, so the after phase is reported unmeasured.
        '--params',
        'duration=10s',
        '--results-dir',
        dir,
        '--journal-path',
        path.join(dir, 'journal.json'),
      ]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  });

  it('exits 0 and states the floor next to every measured comparison', () => {
    if (code !== 0) throw new Error(`exit ${code}\n${out}\n${err}`);
    const rows = out.split('\n').filter((l) => /^load-test {2}/.test(l));
    for (const phase of ['baseline', 'fault'])
      for (const metric of ['p95', 'p99', 'error rate', 'p50 shift'])
        expect(rows.some((r) => new RegExp(`^load-test +${phase} +${metric} `).test(r))).toBe(true);
    const fault95 = rows.find((r) => /^load-test +fault +p95 /.test(r)) ?? '';
    // A bounded interval has a floor; one the data cannot bound (a few seconds of clustered
    // latencies) has none, and says so.
    expect(fault95).toMatch(/ \[[−+±][\d.∞]+( %)?, [−+±][\d.∞]+( %)?\] +(unknown|[\d.]+%)/);
    expect(out).toContain(`calibration: ${path.join(dir, 'calibration.json')}`);
  });

  it('writes calibration.json, and the same calibration into results.json', () => {
    const calibration = JSON.parse(readFileSync(path.join(dir, 'calibration.json'), 'utf8')) as Calibration;
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult & {
      calibration: Calibration;
    };
    expect(results.calibration).toEqual(calibration);
    expect(calibration).toMatchObject({ method: 'aa-paired', confidence: 0.95, power: 0.8 });
    const fault = calibration.floors.filter((f) => f.phase === 'fault');
    expect(fault.map((f) => f.metric)).toEqual(['p95', 'p99', 'error_rate', 'p50_shift']);
    expect(fault[0].samples).toBeGreaterThan(100);
    // Each floor follows its interval: a number exactly when both ends are bounded.
    for (const f of calibration.floors) {
      const bounded = f.low !== null && f.high !== null && f.samples > 0;
      expect(f.floor === null ? 'none' : 'floor').toBe(bounded ? 'floor' : 'none');
      if (f.floor !== null) expect(f.floor).toBeGreaterThanOrEqual(f.mde ?? Infinity);
    }
    // Error rates always have a bounded interval, so a floor.
    expect(fault[2].floor).toBeGreaterThan(0);
    expect(calibration.checks).toHaveLength(calibration.floors.length);
    // The comparison the floors came from is in results.json, from a base of the same files.
    expect(results.scenarios[0].comparison?.base.composeFiles).toEqual([
      path.join(root, 'examples/fraud-api/docker-compose.yml'),
    ]);
    expect(existsSync(path.join(dir, 'report.md'))).toBe(true);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain(
      '## Calibration: the noise floor (A/A)',
    );
  });

  it('leaves neither stack behind', async () => {
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
    expect(await projectLeftovers(results.project)).toEqual(NOTHING_LEFT);
    expect(await projectLeftovers(`${results.project}-base`)).toEqual(NOTHING_LEFT);
  });
});

import { loadScenarioFile } from '../../../src/config/load-scenarios';
import { planLoad } from '../../../src/scenario/load-plan';
import path from 'node:path';

const scenariosDir = path.join(__dirname, '../../../scenarios');

describe('planLoad', () => {
  it("hands the scenario's accepted statuses and body check to the generator", () => {
    const scenario = loadScenarioFile(path.join(scenariosDir, 'redis-failure.yml'));
    const { spec } = planLoad(scenario, 'http://127.0.0.1:8080');
    expect(spec.expect).toEqual({
      status: [200],
      ...(scenario.load.request.expect.bodyContains
        ? { bodyContains: scenario.load.request.expect.bodyContains }
        : {}),
    });
  });
});

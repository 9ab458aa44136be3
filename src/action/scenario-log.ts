// The Actions log of a run: each scenario's lines folded into a group of its own (`::group::`),
// its outcome printed after the group so it shows while folded. Everything that reaches the log
// from the stack or a scenario is text, never a workflow command.
import * as core from '@actions/core';
import type { EngineHooks } from '../scenario/engine';
import { neutralizeWorkflowCommands } from '../report/escape';

export type ScenarioLog = Required<Pick<EngineHooks, 'log' | 'onPhase' | 'onScenarioDone'>> & {
  /** Closes a group left open (a run that stopped mid-scenario). */
  close: () => void;
};

export function scenarioLog(): ScenarioLog {
  let open: string | null = null;
  const close = (): void => {
    if (open === null) return;
    core.endGroup();
    open = null;
  };
  return {
    log: (line) => core.info(neutralizeWorkflowCommands(line)),
    onPhase: (scenario, phase, detail) => {
      if (open !== scenario) {
        close();
        core.startGroup(`chaos: ${neutralizeWorkflowCommands(scenario)}`);
        open = scenario;
      }
      core.info(neutralizeWorkflowCommands(`▶ ${scenario}: ${phase}${detail ? ` (${detail})` : ''}`));
    },
    onScenarioDone: (scenario) => {
      close();
      core.info(
        neutralizeWorkflowCommands(
          `${scenario.name}: ${scenario.outcome}${scenario.reason ? ` — ${scenario.reason}` : ''}`,
        ),
      );
    },
    close,
  };
}

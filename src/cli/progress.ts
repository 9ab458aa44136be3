// Progress while a run goes on: one live line rewritten in place on a terminal, plain
// timestamped lines elsewhere (CI logs keep every line; carriage returns would garble them).
import type { PhaseName, ScenarioResult } from '../results';
import { terminalText } from '../report/escape';

export interface Progress {
  log(line: string): void;
  phase(scenario: string, phase: PhaseName | 'steady-state' | 'verdict', detail: string): void;
  scenarioDone(result: ScenarioResult): void;
  finish(): void;
}

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  live = stream.isTTY === true && !process.env.CI,
): Progress {
  const started = Date.now();
  const clock = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
  let liveLine = '';
  let timer: NodeJS.Timeout | undefined;
  let phaseStarted = Date.now();
  const clear = (): void => {
    if (live && liveLine) stream.write('\r\x1b[2K');
  };
  const draw = (): void => {
    if (!live || !liveLine) return;
    stream.write(`\r\x1b[2K${liveLine} ${((Date.now() - phaseStarted) / 1000).toFixed(0)}s`);
  };
  if (live) timer = setInterval(draw, 1000).unref();
  return {
    log(line) {
      clear();
      // Lines carry the stack's own output: no escape sequence or line break of theirs acts here.
      stream.write(`${clock()} ${terminalText(line)}\n`);
      draw();
    },
    phase(scenario, phase, detail) {
      phaseStarted = Date.now();
      const text = terminalText(`${scenario}: ${phase}${detail ? ` (${detail})` : ''}`);
      if (live) {
        liveLine = `${clock()} ▶ ${text}`;
        draw();
      } else {
        stream.write(`${clock()} ${text}\n`);
      }
    },
    scenarioDone(result) {
      clear();
      liveLine = '';
      const word = {
        pass: 'PASS',
        fail: 'FAIL',
        inconclusive: 'INCONCLUSIVE',
        error: 'ERROR',
        skipped: 'SKIPPED',
      }[result.outcome];
      stream.write(
        `${clock()} ${terminalText(`${result.name}: ${word}${result.reason ? ` — ${result.reason}` : ''}`)}\n`,
      );
    },
    finish() {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}

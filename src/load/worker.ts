// Entry of a worker thread: runs one share of the open-model schedule and streams its
// finished seconds (compressed histograms and counters) to the main thread, which
// merges them. Clocks: a worker's performance.now() has its own origin, so every
// timestamp is shifted onto the main thread's monotonic clock before use.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { LocalLoadRun } from './generator';
import { validateLoadSpec } from './spec';
import type { MainToWorker, WorkerData, WorkerToMain } from './threads';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('src/load/worker.ts must run as a worker thread');
  const data = workerData as WorkerData;
  const post = (message: WorkerToMain): void => port.postMessage(message);
  let run: LocalLoadRun;
  try {
    run = await LocalLoadRun.prepare(validateLoadSpec(data.spec), {
      share: data.share,
      clockOffsetMs: performance.timeOrigin - data.mainTimeOrigin,
      onSealed: (seconds) => post({ type: 'sealed', seconds }),
    });
  } catch (error) {
    post({ type: 'failed', name: (error as Error).name, message: (error as Error).message });
    return;
  }
  port.on('message', (message: MainToWorker) => {
    if (message.type === 'begin') {
      run.begin(message.loadStartMs, message.originMs);
      void run.done.then(() => {
        post({ type: 'done', phases: run.timelineView.exportPhases(), peakOutstanding: run.peakOutstanding });
        port.close();
      });
    } else if (message.type === 'mark') run.mark(message.phase, message.atMs);
    else if (message.type === 'stop') void run.stop();
  });
  post({ type: 'ready' });
}

void main();

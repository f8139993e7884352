// Inputs read in parallel: worker threads (read-worker.ts) each read whole inputs into partial
// summaries (read-part.ts) and send back only those; the main thread merges them in input order as
// they come. Returning parsed events to the main thread instead was measured slower than one thread
// (issue 16): a partial summary is small, events are not.
import { Worker } from 'node:worker_threads';
import { InputError, NotALogError } from './ingest/input-error.js';
import type { PartResult, PartTask } from './read-part.js';

/**
 * The worker's script, beside this module once built. Run from the TypeScript sources (the tests,
 * vite-node) there is no such file and a thread could not load the .ts one: the run then reads its
 * parts on the main thread, which gives the same output (the parts merge the same way).
 */
const WORKER_SCRIPT = new URL('./read-worker.js', import.meta.url);
export const WORKERS_AVAILABLE = import.meta.url.endsWith('.js');

/** What a worker posts: progress of an input, its result, or the error that stopped it. */
export type WorkerReply =
  | { id: number; progress: number }
  | { id: number; result: PartResult }
  | { id: number; error: { kind: 'not-a-log'; message: string; reason: string } | { kind: 'input' | 'internal'; message: string } };

export interface PoolControl {
  /** Stop reading (SIGINT/SIGTERM): the workers stop where they are, and what was read is kept. */
  shouldStop?: () => boolean;
  /** Bytes read so far across the inputs. */
  onProgress?: (bytes: number) => void;
}

/**
 * Reads `tasks` in `jobs` worker threads and calls `take` with each result in task order (a result
 * that comes early waits for those before it). Rejects with the first error in task order, as
 * reading one input after the other would have stopped there.
 */
export async function readInWorkers(tasks: readonly PartTask[], jobs: number, take: (r: PartResult, index: number) => void, control: PoolControl = {}): Promise<void> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const n = Math.min(jobs, tasks.length);
  const workers: Worker[] = [];
  const bytes = new Array<number>(tasks.length).fill(0);
  const done = new Map<number, PartResult | Error>();
  let next = 0;
  let taken = 0;
  const poll = control.shouldStop
    ? setInterval(() => {
        if (control.shouldStop!()) Atomics.store(stop, 0, 1);
      }, 50)
    : null;
  try {
    await new Promise<void>((resolve, reject) => {
      const failed = (e: Error) => {
        Atomics.store(stop, 0, 1);
        reject(e);
      };
      const stopped = () => Atomics.load(stop, 0) === 1;
      // Results in task order; the run ends when every input started is taken (after a stop, the
      // inputs not started are not read, as one after the other would not have reached them).
      const flush = () => {
        for (let r = done.get(taken); r !== undefined; r = done.get(taken)) {
          done.delete(taken);
          if (r instanceof Error) return failed(r);
          try {
            take(r, taken);
          } catch (e) {
            return failed(e as Error);
          }
          taken++;
        }
        if (taken === next && (next === tasks.length || stopped())) resolve();
      };
      const send = (w: Worker) => {
        if (next >= tasks.length || stopped()) return;
        w.postMessage({ ...tasks[next]!, id: next });
        next++;
      };
      for (let i = 0; i < n; i++) {
        const w = new Worker(WORKER_SCRIPT, { workerData: { stop } });
        workers.push(w);
        w.on('message', (m: WorkerReply) => {
          if ('progress' in m) {
            bytes[m.id] = m.progress;
            control.onProgress?.(bytes.reduce((a, b) => a + b, 0));
            return;
          }
          done.set(m.id, 'result' in m ? m.result : errorOf(m.error));
          send(w);
          flush();
        });
        w.on('error', (e) => failed(new Error(`a reading thread failed: ${e.message}`)));
        send(w);
      }
    });
  } finally {
    if (poll !== null) clearInterval(poll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function errorOf(e: Extract<WorkerReply, { error: unknown }>['error']): Error {
  if (e.kind === 'not-a-log') return new NotALogError(e.message, e.reason);
  if (e.kind === 'input') return new InputError(e.message);
  return new Error(e.message);
}

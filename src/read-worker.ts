// A worker thread of read-pool.ts: reads the inputs it is sent, one at a time, and posts back each
// one's partial summary (or the error that stopped it, as plain data: the main thread throws it).
import { parentPort, workerData } from 'node:worker_threads';
import { InputError, NotALogError } from './ingest/input-error.js';
import { readPart, type PartTask } from './read-part.js';
import type { WorkerReply } from './read-pool.js';

const { stop } = workerData as { stop: Int32Array };
/** Progress is posted at most every this many bytes of an input. */
const PROGRESS_STEP = 4 * 1024 * 1024;

parentPort!.on('message', (task: PartTask & { id: number }) => {
  let posted = 0;
  const reply = (r: WorkerReply) => parentPort!.postMessage(r);
  readPart(task, {
    shouldStop: () => Atomics.load(stop, 0) === 1,
    onProgress: (bytes) => {
      if (bytes - posted < PROGRESS_STEP) return;
      posted = bytes;
      reply({ id: task.id, progress: bytes });
    },
  }).then(
    (result) => reply({ id: task.id, result }),
    (e: unknown) =>
      reply({
        id: task.id,
        error: e instanceof NotALogError ? { kind: 'not-a-log', message: e.message, reason: e.reason } : e instanceof InputError ? { kind: 'input', message: e.message } : { kind: 'internal', message: (e as Error).stack ?? String(e) },
      }),
  );
});

// Narrowing of findings whose data type is a union, for tests that read one shape's fields.
import type { Finding } from '../../src/model.js';
import type { ConnectionResetPerDeployData } from '../../src/detectors/connection-reset-per-deploy.js';

/** The data of a connection-reset finding that paired resets with container stops; fails the test on the other shape. */
export function pairedResets(f: Finding<ConnectionResetPerDeployData>) {
  if (!('stops' in f.data)) throw new Error(`expected resets paired with stops, got ${JSON.stringify(f.data)}`);
  return f.data;
}

/** The data of a connection-reset finding of bursts no stop explains; fails the test on the other shape. */
export function unpairedResets(f: Finding<ConnectionResetPerDeployData>) {
  if ('stops' in f.data) throw new Error(`expected unpaired resets, got ${JSON.stringify(f.data)}`);
  return f.data;
}

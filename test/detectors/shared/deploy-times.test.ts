// Railway's record of its deployments (deployments.json of `hindsight pull railway`) in the
// pairing of container lives: a start that follows its deployment's creation is a deploy, not a
// restart, also when the old container was stopped before the new one started. The container
// lines are Railway's own platform lines ("Starting Container", "Stopping Container", with the
// tags pull writes); the deployments go through the real reader (railway-deployments).
import { describe, expect, it } from 'vitest';
import { buildTimeline, type TestEvent } from '../../helpers/timeline.js';
import { runFormat } from '../../ingest/run-format.js';
import { railwayDeployments } from '../../../src/ingest/formats/railway-deployments.js';
import { deployStarts, LIFECYCLE_INTERESTS, lifecycleOf, replacements } from '../../../src/detectors/shared/lifecycle.js';
import { restartLoop } from '../../../src/detectors/restart-loop.js';
import { containerChurn } from '../../../src/detectors/container-churn.js';
import { detectOn } from '../../helpers/timeline.js';

const a = { deploymentId: 'dep-a', deploymentInstanceId: 'inst-a' };
const b = { deploymentId: 'dep-b', deploymentInstanceId: 'inst-b' };
const b2 = { deploymentId: 'dep-b', deploymentInstanceId: 'inst-b2' };
const container = (at: string, message: string, attrs: Record<string, string>): TestEvent => ({ at, message, source: 'platform', service: 'api', attrs });

/** A deploy that stops the old container first (Railway does so for a service with a volume), then dep-b crashes and is restarted. */
const lines: TestEvent[] = [
  container('2026-03-01T10:00:00Z', 'Starting Container', a),
  container('2026-03-01T12:00:05Z', 'Stopping Container', a),
  container('2026-03-01T12:00:30Z', 'Starting Container', b),
  container('2026-03-01T12:03:00Z', 'Stopping Container', b),
  container('2026-03-01T12:03:20Z', 'Starting Container', b2),
];

const deployments = [
  '{"source":"hindsight pull railway","project":{"id":"p1","name":"shop"},"environment":{"id":"e1","name":"production"},"window":{"since":"2026-03-01T09:00:00.000Z","until":"2026-03-01T13:00:00.000Z"},"deployments":[',
  '{"id":"dep-a","service":"api","serviceId":"s1","status":"REMOVED","createdAt":"2026-03-01T09:59:00.000Z","statusUpdatedAt":"2026-03-01T12:00:06.000Z","stoppedAt":"2026-03-01T12:00:06.000Z"},',
  '{"id":"dep-b","service":"api","serviceId":"s1","status":"SUCCESS","createdAt":"2026-03-01T11:59:00.000Z","statusUpdatedAt":"2026-03-01T12:00:40.000Z","stoppedAt":null}',
  ']}',
];
const platform = runFormat(railwayDeployments, deployments).events.map((e): TestEvent => ({ at: e.ts, message: e.message, level: e.level, service: e.service, source: e.source, attrs: e.attrs }));
const merged = (xs: TestEvent[]) => [...xs].sort((x, y) => Date.parse(String(x.at)) - Date.parse(String(y.at)));

describe("Railway's deploy times in the pairing of lives", () => {
  it('a start after the old container stopped is a replacement when its deployment was created before the stop; a later start of that deployment stays a restart', () => {
    const without = lifecycleOf(buildTimeline(lines, [], [...LIFECYCLE_INTERESTS]));
    expect(without.created.size).toBe(0);
    expect(replacements(without.lives, without.created).size).toBe(0);
    const lc = lifecycleOf(buildTimeline(merged([...lines, ...platform]), [], [...LIFECYCLE_INTERESTS]));
    expect([...lc.created].map(([id, t]) => [id, new Date(t).toISOString()])).toEqual([
      ['dep-a', '2026-03-01T09:59:00.000Z'],
      ['dep-b', '2026-03-01T11:59:00.000Z'],
    ]);
    const old = lc.lives.find((l) => l.instance === 'inst-a')!;
    const replaced = replacements(lc.lives, lc.created);
    expect(replaced.get(old)?.instance).toBe('inst-b');
    // dep-a's own first start is a deploy too; inst-b2 came after a life of dep-b ended: a restart.
    expect([...deployStarts(lc.lives, lc.created)].map((s) => s.instance).sort()).toEqual(['inst-a', 'inst-b']);
  });

  it('restart-loop counts only restarts, and container-churn calls the stopped container replaced', () => {
    // Three more restarts of dep-b within minutes: a loop of four restarts, the deploy's start not among them.
    const restarts = [1, 2, 3].flatMap((k) => [
      container(`2026-03-01T12:0${3 + k}:00Z`, 'Stopping Container', { deploymentId: 'dep-b', deploymentInstanceId: `inst-b${k + 1}` }),
      container(`2026-03-01T12:0${3 + k}:20Z`, 'Starting Container', { deploymentId: 'dep-b', deploymentInstanceId: `inst-b${k + 2}` }),
    ]);
    const t = buildTimeline(merged([...lines, ...restarts, ...platform]), [], [...LIFECYCLE_INTERESTS, ...(restartLoop.meta.interests ?? [])]);
    const loops = detectOn(restartLoop, t);
    expect(loops).toHaveLength(1);
    expect(loops[0]!.data).toMatchObject({ starts: 4 });
    // dep-a's container was replaced, not stopped; a deploy that stopped it first is no zero-downtime handover.
    const churn = detectOn(containerChurn, t)[0]!;
    expect(churn.data.containers.find((c) => c.instance === 'inst-a')?.endedBy).toBe('replaced');
    expect(churn.data).toMatchObject({ replacements: 0 });
    expect(churn.pattern).not.toMatch(/stopped -\d/);
  });
});

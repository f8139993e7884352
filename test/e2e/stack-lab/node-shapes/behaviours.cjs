// What every app of the Node shapes lab does besides its framework's own work: the faults the
// recorder plants go through these, so that each framework logs them its own way.
'use strict';

/** Pool settings shared by the apps: 3 connections, 1 s to wait for one. */
exports.POOL = { max: 3, acquireTimeoutMs: 1000 };

/** A start that fails on a missing setting (the recorder's crash loop): an uncaught exception at boot. */
exports.checkConfig = () => {
  if (process.env.REQUIRE_SETTING && !process.env[process.env.REQUIRE_SETTING]) {
    throw new Error(`Missing required environment variable ${process.env.REQUIRE_SETTING}`);
  }
};

exports.sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kept = [];
/** Keeps everything it allocates: the heap limit (--max-old-space-size) ends the process. */
exports.leak = () => {
  for (;;) kept.push(new Array(100_000).fill({ at: Date.now() }));
};

/** A fire-and-forget call whose promise nobody awaits: Node ends the process on its rejection. */
exports.notifyLater = () => {
  void (async () => {
    await exports.sleep(50);
    throw new Error('webhook delivery failed: 503 Service Unavailable');
  })();
};

// The one use signal-exit (via proper-lockfile) makes of node:assert: loading node:assert costs
// every driver action a few ms of start-up; this is its `equal` (loose ==), nothing more.
module.exports = {
  equal(actual, expected, message) {
    // eslint-disable-next-line eqeqeq
    if (actual != expected) throw new Error(message);
  },
};

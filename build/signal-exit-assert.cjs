// The one use signal-exit (via proper-lockfile) makes of node:assert: loading node:assert costs
// every driver action a few ms of start-up; this is its `equal` (loose ==), nothing more.
module.exports = {
  equal(actual, expected, message) {
    // biome-ignore lint/suspicious/noDoubleEquals: node:assert's equal is loose (==), and this stands in for it
    if (actual != expected) throw new Error(message);
  },
};

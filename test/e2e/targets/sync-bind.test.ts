/** `nebula-ipam sync` end to end against a real BIND 9 (test/support/sync-dns-scenarios.ts). */
import { startBind } from '../../support/bind-server.ts';
import { syncDnsHoldScenario, syncDnsScenarios } from '../../support/sync-dns-scenarios.ts';

syncDnsScenarios('BIND 9', startBind);
syncDnsHoldScenario('BIND 9', startBind);

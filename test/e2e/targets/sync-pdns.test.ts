/** `nebula-ipam sync` end to end against a real PowerDNS (test/support/sync-dns-scenarios.ts). */
import { startPdns } from '../../support/pdns-server.ts';
import { syncDnsHoldScenario, syncDnsScenarios } from '../../support/sync-dns-scenarios.ts';

syncDnsScenarios('PowerDNS', startPdns);
syncDnsHoldScenario('PowerDNS', startPdns);

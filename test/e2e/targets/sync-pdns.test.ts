/** `nebula-ipam sync` end to end against a real PowerDNS (test/support/sync-dns-scenarios.ts). */
import { startPdns } from '../../support/pdns-server.ts';
import { syncDnsScenarios } from '../../support/sync-dns-scenarios.ts';

syncDnsScenarios('PowerDNS', startPdns);

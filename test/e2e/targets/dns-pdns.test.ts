/** The DNS edge against a real PowerDNS Authoritative (test/support/pdns-server.ts), every scenario of dns-edge-scenarios.ts. */
import { startPdns } from '../../support/pdns-server.ts';
import { dnsEdgeScenarios } from '../../support/dns-edge-scenarios.ts';

dnsEdgeScenarios('PowerDNS', startPdns, { classless: true });

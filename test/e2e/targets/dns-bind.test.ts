/** The DNS edge against a real BIND 9 (test/support/bind-server.ts), every scenario of dns-edge-scenarios.ts. */
import { startBind } from '../../support/bind-server.ts';
import { dnsEdgeScenarios } from '../../support/dns-edge-scenarios.ts';

dnsEdgeScenarios('BIND 9', startBind, { classless: true });

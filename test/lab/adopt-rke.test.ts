// zke adopt of a cluster RKE laid out (its container names, flags, binds and file layout), built at v1.32, then
// upgraded one minor: the scenario of ./adopt-rke-scenario.ts. The upgrades up to the newest version run in
// test/versions/adopt-rke-chain.test.ts (npm run test:versions).
import path from 'node:path';
import { test } from 'node:test';
import { k8sSkipReason } from '../support/cluster.ts';
import { labSsh } from '../support/lab.ts';
import { adoptRkeAndUpgrade, RKE_FROM } from './adopt-rke-scenario.ts';
import { labSuite } from './lifecycle-harness.ts';

const TO = 'v1.33.13';
const suite = labSuite(2);
// the API's host policy: the lab's key is where a site would keep its keys
process.env.ZKE_SSH_KEY_DIRS = path.dirname(labSsh.keyPath);

test(
  `a ${RKE_FROM} cluster in RKE's container layout is adopted in place and upgraded to ${TO}, its pods running on`,
  { skip: k8sSkipReason(RKE_FROM, TO), timeout: 1_500_000 },
  (t) => adoptRkeAndUpgrade(suite, [TO], t),
);

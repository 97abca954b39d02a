// zke adopt of a v1.32 cluster in RKE's container layout, then upgraded one minor at a time to the newest
// version of the table, its pods running on throughout (test/lab/adopt-rke-scenario.ts). Versions the lab
// registry lacks skip, saying which.
import path from 'node:path';
import { test } from 'node:test';
import { KUBERNETES_VERSIONS } from '../../model/versions.ts';
import { adoptRkeAndUpgrade, RKE_FROM } from '../lab/adopt-rke-scenario.ts';
import { labSuite } from '../lab/lifecycle-harness.ts';
import { k8sSkipReason } from '../support/cluster.ts';
import { labSsh } from '../support/lab.ts';

const TABLE = KUBERNETES_VERSIONS.map((v) => v.version);
/** One minor at a time from RKE_FROM to the newest. */
const CHAIN = TABLE.slice(TABLE.indexOf(RKE_FROM) + 1);
const suite = labSuite(2);
process.env.ZKE_SSH_KEY_DIRS = path.dirname(labSsh.keyPath);

test(
  `a ${RKE_FROM} cluster in RKE's container layout is adopted and upgraded to ${CHAIN.at(-1)}, its pods running on`,
  { skip: k8sSkipReason(RKE_FROM, ...CHAIN), timeout: 3_600_000 },
  (t) => adoptRkeAndUpgrade(suite, CHAIN, t),
);

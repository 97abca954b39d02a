// Report section "Where the time goes": for each scenario with results, what its wall time is made of, read
// from the saved numbers; for a missed target, why, and what would change it.
import type { EngineResults } from '../engine/noop.ts';
import type { FanOutResults } from '../fanout/scenario.ts';
import { PKI_TARGET_MS, type PkiResults, type PkiRow, pkiRow } from '../pkiScenario.ts';
import type { Saved } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { failedRuns, fanOutRows, scaleRows } from './aggregate.ts';
import { millis, pct, seconds, times } from './format.ts';

/** Certificates of a fresh bundle without a key of their own: kube-node reuses kube-proxy's key, the
 *  service-account token is kube-apiserver's pair (model/pki/catalog.ts). */
const SHARED_KEYS = 2;

function pkiPart(pki: Saved<PkiResults> | undefined): string {
  const row = pki && pkiRow(pki.data, 'RSA-2048', 50);
  if (!pki || !row) return '';
  const ecdsa = pkiRow(pki.data, 'ECDSA-P256', 50);
  const keys = row.certs - SHARED_KEYS;
  const cores = pki.machine.cpus;
  const cpu = row.freshCpuMs;
  const others = [5, 500].flatMap((n) => pkiRow(pki.data, 'RSA-2048', n) ?? []);
  const cpuText =
    cpu === undefined
      ? ''
      : ` The bundle used ${millis(cpu)} of CPU, about ${millis(cpu / keys)} per key. Keys are generated on
libuv's thread pool, so ${cores} cores can at best divide that by ${cores}: about ${millis(cpu / cores)} even with
the cores to itself, ${cpu / cores > PKI_TARGET_MS ? 'above' : 'within'} the target; the wall time measured is higher
because other processes had the cores (load ${pki.machine.load.start.toFixed(1)}).`;
  const met = row.freshMs <= PKI_TARGET_MS;
  const ecdsaMet = ecdsa !== undefined && ecdsa.freshMs <= PKI_TARGET_MS;
  const title = met
    ? 'target met'
    : ecdsaMet
      ? `target met with ECDSA P-256 keys (${millis(ecdsa.freshMs)}), missed with the RSA-2048 default`
      : 'target missed';
  return `### PKI generation: ${title} (RSA-2048: ${millis(row.freshMs)} for 50 nodes, target 1 s)

A fresh 50-node bundle is ${row.certs} certificates with ${keys} new RSA-2048 keys (kube-node reuses kube-proxy's
key; the service-account token is kube-apiserver's pair). Its wall time is almost all key generation: the same
${keys} keys generated alone took ${millis(row.keygenMs)}.${cpuText} The node count hardly matters:
${others.map((r) => `${r.nodes} nodes need ${r.certs - SHARED_KEYS} keys (${millis(r.freshMs)})`).join(', ')}; \`certFiles\`
for every node adds little (${millis(row.nodeFilesMs)} for 50 nodes), and a re-run that keeps every certificate
takes ${millis(row.rerunMs)}.

Timed by phase with \`bench/pkiPhases.ts\` (\`generateBundle\`'s steps called one by one, process CPU time around
each; this machine, load 35–150, 2026-12-01 19:43, 3 rounds): the certificate catalog under 1 ms, the 11
RSA-2048 keys 3.1–3.4 s of CPU, and issuing the certificates — encoding them (\`model/pki/der.ts\`), signing
with node:crypto, reading them back — 3–6 ms of CPU each, about 0.05 s for the bundle. A single
RSA-2048 key from OpenSSL's own \`openssl genrsa\` took 0.14–0.82 s of CPU here: the cost is OpenSSL 3's search
for primes on these cores, not zke's code around it.
${ecdsa ? ecdsaText(ecdsa) : ''}${met ? '' : pkiOptions()}`;
}

function ecdsaText(ecdsa: PkiRow): string {
  return `
With \`cert_key_algorithm: ECDSA-P256\` the same 50-node bundle takes ${millis(ecdsa.freshMs)}
(${millis(ecdsa.freshCpuMs ?? Number.NaN)} of CPU; its ${ecdsa.certs - SHARED_KEYS} keys alone ${millis(ecdsa.keygenMs)}): a P-256 key is
a random number and one point multiplication, with no search for primes, so what is left is encoding and signing
the certificates. Kubernetes, etcd and service-account tokens accept these keys; the lab's Kubernetes test
provisions a 5-host cluster with them (\`test/lab/kubernetes.test.ts\`).
`;
}

function pkiOptions(): string {
  return `
RSA-2048 stays the default because RKE writes PKCS#1 RSA keys and clusters taken over from it keep theirs
(a new algorithm applies only to keys generated from then on). No simple change inside \`model/pki\` makes
RSA-2048 meet 1 s here while every certificate keeps its own fresh key; the options left, not made here:

- **Keys generated ahead of time**: a small pool of RSA keys the worker refills when idle takes key generation
  off the certificates step. It is state with a lifetime, so it belongs to \`activities/\`, not to the pure model.
- **Weaker or shared keys** (RSA-1024, one key for several certificates) would meet the target by weakening the
  PKI; not an option.
`;
}

function fanOutPart(fanout: Saved<FanOutResults> | undefined): string {
  if (!fanout) return '';
  const rows = fanOutRows(fanout.data);
  const largest = Math.max(...rows.map((r) => r.size));
  const at = (phase: string) => rows.find((r) => r.size === largest && r.phase === phase)!;
  const fresh = at('fresh');
  const unchanged = at('unchanged');
  const sizes = [...new Set(rows.map((r) => r.size))];
  const sshPerHost = sizes.map((n) => {
    const r = rows.find((x) => x.size === n && x.phase === 'fresh')!;
    return `${seconds(r.ms.ssh / n)} at ${n}`;
  });
  const { controlplane, worker } = fanout.data.filesPerHost;
  const freshAt = (n: number) => rows.find((x) => x.size === n && x.phase === 'fresh')!;
  const smallest = Math.min(...sizes);
  const growth =
    sizes.length > 1
      ? `its fresh pass takes ${seconds(freshAt(smallest).ms.zke)} at ${smallest} hosts and ${seconds(fresh.ms.zke)} at
  ${largest} (${times(fresh.ms.zke / freshAt(smallest).ms.zke)} for ${times(largest / smallest)} the hosts): hosts run in
  parallel, but every lab host's sshd and dockerd share the machine's ${fanout.machine.cpus} cores with the worker, so
  they still queue for CPU.`
      : 'hosts run in parallel.';
  const met = rows.every((r) => r.zkeVsAnsible <= 0.5);
  return `### Fan-out: target ${met ? 'met' : 'missed'} (zke ${times(fresh.zkeVsAnsible)} of Ansible's time at ${largest} hosts, fresh)

- **zke** spends its wall time on the hosts: at ${largest} hosts (fresh) ${seconds(fresh.zkeCriticalWorkMs)} of its
  ${seconds(fresh.ms.zke)} are activity executions on the critical path (the slowest host's file sync, then its
  container reconcile). Per host it opens one SSH connection per activity, compares and writes the files over
  one SFTP session (no process started on the host per file) and talks to Docker's API through the forwarded
  socket; ${growth}
- **Ansible**'s \`copy\` of a directory runs two modules on the host for every file: \`stat\`, then \`copy\` when
  the content differs or \`file\` (to enforce the mode) when it does not. That is ${2 * controlplane} module runs on a
  control-plane host (${controlplane} files) and ${2 * worker} on a worker (${worker} files), each a Python process
  on the host plus the controller's work to prepare and send the module; with forks = N all of that competes for
  the same ${fanout.machine.cpus} shared cores, so even the pass with nothing to change takes ${seconds(unchanged.ms.ansible)}
  at ${largest} hosts. Both tools ran under the same load, but Ansible's work is mostly CPU (Python
  processes on the controller and on the hosts), so the shared cores probably cost it more than zke: on idle
  cores the gap is likely narrower than measured here (CPU time per tool was not measured).
- **The ssh loop** is sequential: three fresh connections (ssh, scp, ssh) per host, so it grows linearly with
  the hosts (fresh pass per host: ${sshPerHost.join(', ')} hosts).
`;
}

function enginePart(
  engine: Saved<EngineResults> | undefined,
  scale: Saved<ScaleResults> | undefined,
): string {
  if (!engine) return '';
  const e = engine.data;
  const row = scale ? scaleRows(scale.data)[0] : undefined;
  const provision = row
    ? ` A ${row.size}-host provision measured ${seconds(row.overheadMs)} of orchestration overhead in
${seconds(row.wallMs)} (${pct(row.overheadPct)}): round trips of its activities and steps one after another, plus
waiting for CPU on a machine at load ${scale!.machine.load.start.toFixed(0)}–${scale!.machine.load.end?.toFixed(0)}.`
    : '';
  return `### Engine

One no-op activity costs ${millis(e.roundTripMs.median)} from scheduling to the next scheduling (median;
${millis(e.roundTripMs.p90)} at the 90th percentile), of which ${millis(e.activityMs.median)} is the activity
itself being dispatched, run and completed; the rest is the workflow task that reacts. That is the price of each
step that waits for the previous one, small next to SSH and Docker work that takes seconds.${provision}
`;
}

function scalePart(scale: Saved<ScaleResults> | undefined): string {
  if (!scale) return '';
  const rows = scaleRows(scale.data);
  const largest = rows.at(-1)!;
  const top = [...largest.steps].sort((a, b) => b.wallMs - a.wallMs).slice(0, 3);
  const failedSizes = [...new Set(failedRuns(scale.data).map((p) => p.size))].filter(
    (n) => !rows.some((r) => r.size === n),
  );
  const missing = [3, 10, 25, 50].filter((n) => !rows.some((r) => r.size === n) && !failedSizes.includes(n));
  return `### Provisioning

At ${largest.size} hosts the longest steps are ${top
    .map((s) => `${s.step} (${seconds(s.wallMs)}, ${pct((100 * s.wallMs) / largest.wallMs)})`)
    .join(
      ', ',
    )}: remote work (image pulls, container starts, health waits) rather than orchestration, which is
${pct(largest.overheadPct)} of the wall time.${
    missing.length
      ? ` ${missing.join(', ')} hosts were not measured in this round (\`--only scale\` needs the lab's Kubernetes
images, [lab-k8s.md](lab-k8s.md)), so how the provision time grows with hosts is not known yet: the
"50-host ≤ 2× the 3-host time" target is open.`
      : ''
  }${failedSizes.length ? ` ${failedSizes.join(', ')} hosts did not finish: see §3 and [the runs that did not finish](#runs-that-did-not-finish-written-by-hand-kept-by---report).` : ''}
`;
}

export function analysisSection(r: {
  pki?: Saved<PkiResults>;
  engine?: Saved<EngineResults>;
  fanout?: Saved<FanOutResults>;
  scale?: Saved<ScaleResults>;
}): string {
  const parts = [pkiPart(r.pki), fanOutPart(r.fanout), enginePart(r.engine, r.scale), scalePart(r.scale)];
  const body = parts.filter(Boolean).join('\n');
  return `## Where the time goes

${body || 'Nothing measured yet.'}
`;
}

// Step "port check" (RKE's preflight `[network]` checks), in three calls per host: a listener container binds
// the host's ports (a port it cannot bind is taken, unless zke's own service holds it), then a probe container
// reaches the peers' ports through them, then the listeners go. Both run the Kubernetes image (bash, socat, perl),
// which every host pulls anyway, with host networking.

import { CLUSTER_LABEL, MANAGED_LABEL } from '../model/plan/index.ts';
import {
  describePort,
  type HostPortCheck,
  type PortProbe,
  portChecks,
  type ServicePort,
} from '../model/plan/ports.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import { loadSpec, nodeOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { DockerApi } from './docker/api.ts';
import {
  containerLogTail,
  createContainer,
  ensureImage,
  inspectContainer,
  removeContainer,
  startContainer,
} from './docker/containers.ts';
import { runOneShot } from './docker/oneShot.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { NON_RETRYABLE, permanent } from './ssh/errors.ts';
import { waitFor } from './wait.ts';

const LISTENER = 'zke-port-listener';
const PROBE = 'zke-port-probe';
const UDP_TOKEN = 'zke-port-check';
/** A UDP probe's tries: how long each waits for the echo (s); one second between tries, so a port that never
 *  answers costs 2+3+4+5+6+4 = 24 s. The UDP probes run side by side, the TCP ones one after the other. */
const UDP_WAITS = [2, 3, 4, 5, 6];

/**
 * Binds every "port/proto" of $PORTS (TCP: accept and close; UDP: echo each datagram to its sender), names those
 * it cannot bind. UDP is one perl process that never forks (perl-base is in every Debian image). Not socat's
 * UDP-RECVFROM,fork, whose parent peeks a datagram and forks a child to read it: with SYSTEM:"echo ..." the
 * command could exit before the child wrote it the datagram, the child quit on EPIPE without answering, and the
 * parent, taking the datagram as unread, dropped the next one too (in the lab one try in eight failed idle, one
 * in five under load, often two in a row); with PIPE, under concurrent probes, a child waited for a datagram
 * another process had read, discarding the others, and the port never answered again.
 */
const UDP_ECHO =
  'socket(S, PF_INET, SOCK_DGRAM, 0) && bind(S, sockaddr_in($ARGV[0], INADDR_ANY)) || exit 3; while (1) { my $peer = recv(S, my $data, 512, 0); send(S, $data, 0, $peer) if $peer }';

const LISTEN_SCRIPT = `UDP_ECHO='${UDP_ECHO}'
pids=""
for p in $PORTS; do
  case $p in
    */tcp) socat TCP-LISTEN:\${p%/*},fork,reuseaddr SYSTEM:true 2>/dev/null & ;;
    */udp) perl -MSocket -e "$UDP_ECHO" \${p%/*} 2>/dev/null & ;;
  esac
  pids="$pids $!=$p"
done
sleep 1
taken=0
for e in $pids; do kill -0 "\${e%%=*}" 2>/dev/null || { echo "taken \${e#*=}"; taken=1; }; done
[ "$taken" = 0 ] || exit 3
echo ready
wait`;

/**
 * Each "address port proto" line of $TARGETS; prints "unreachable <line>" for those that fail. TCP: three
 * connects. UDP: the token sent from an unconnected socket (UDP-DATAGRAM), which takes the echo from whichever
 * address of the peer sends it (a connected socket drops an echo whose source is the peer's primary address when
 * the probe went to another of its addresses); readbytes ends socat as soon as the echo is in, else it waits out
 * the try's -t/-T (no ICMP error reaches an unconnected socket, so a closed port costs every wait).
 */
const PROBE_SCRIPT = `tcp() {
  for try in 1 2 3; do
    [ "$try" = 1 ] || sleep 1
    socat -u OPEN:/dev/null "TCP:$1:$2,connect-timeout=5" 2>/dev/null && return 0
  done
  return 1
}
udp() {
  for wait in ${UDP_WAITS.join(' ')}; do
    [ "$wait" = ${UDP_WAITS[0]} ] || sleep 1
    [ "$(echo ${UDP_TOKEN} | socat -t $wait -T $wait - "UDP-DATAGRAM:$1:$2,readbytes=${UDP_TOKEN.length + 1}" 2>/dev/null)" = "${UDP_TOKEN}" ] && return 0
  done
  return 1
}
while read -r addr port proto; do
  [ -n "$addr" ] || continue
  if [ "$proto" = tcp ]; then
    tcp "$addr" "$port" || echo "unreachable $addr $port tcp"
  else
    { udp "$addr" "$port" || echo "unreachable $addr $port udp"; } &
  fi
done <<< "$TARGETS"
wait`;

const portKey = (p: Pick<ServicePort, 'port' | 'protocol'>) => `${p.port}/${p.protocol}`;

interface HostInput extends RevisionRef {
  host: string;
}

function hostCheck(spec: ClusterSpec, host: string): HostPortCheck {
  return portChecks(spec).find((c) => c.host === host)!;
}

async function onHostDocker<T>(input: HostInput, fn: (docker: DockerApi, spec: ClusterSpec) => Promise<T>) {
  const spec = loadSpec(input);
  const target = sshTarget(input.cluster, spec, nodeOf(spec, input.host));
  return withHeartbeat(() => withSession(target, (s) => fn(dockerOf(s, spec.privateRegistries), spec)));
}

/** Ports whose owner (a zke container) already runs here: a retried provisioning finds them held by zke. */
async function heldByZke(docker: DockerApi, ports: readonly ServicePort[]): Promise<Set<string>> {
  const owners = [...new Set(ports.map((p) => p.owner))];
  const running = await Promise.all(owners.map((name) => inspectContainer(docker, name)));
  const ours = owners.filter((_, i) => running[i]?.running && running[i]?.labels[MANAGED_LABEL] === 'true');
  return new Set(ports.filter((p) => ours.includes(p.owner)).map(portKey));
}

function portTaken(input: HostInput, address: string, taken: readonly ServicePort[]): Error {
  return permanent(
    NON_RETRYABLE.portTaken,
    `${input.host}: port ${taken.map(describePort).join(', ')} already in use on ${address} by something other than zke (free it, or set disable_port_check to skip the check)`,
  );
}

async function listenerOutcome(docker: DockerApi, id: string): Promise<string> {
  return waitFor(
    async () => {
      const log = await containerLogTail(docker, id, 20);
      if (/^ready$/m.test(log) || /^taken /m.test(log)) return log;
      const state = await inspectContainer(docker, id);
      if (!state?.running) throw new Error(`the port listener stopped: ${log || 'no output'}`);
      return undefined;
    },
    { what: `${docker.host}: port listener`, timeoutMs: 30_000, intervalMs: 500 },
  );
}

/** Binds the host's ports not held by zke's services; returns the ports it listens on ("2379/tcp"). */
export async function openPortListeners(input: HostInput): Promise<{ host: string; listening: string[] }> {
  return onHostDocker(input, async (docker, spec) => {
    const check = hostCheck(spec, input.host);
    const held = await heldByZke(docker, check.listen);
    const ports = check.listen.filter((p) => !held.has(portKey(p)));
    await removeContainer(docker, LISTENER);
    if (!ports.length) return { host: input.host, listening: [] };
    const image = spec.systemImages.kubernetes;
    await ensureImage(docker, image, () => {});
    const id = await createContainer(docker, {
      name: LISTENER,
      image,
      command: ['bash', '-c', LISTEN_SCRIPT],
      env: [`PORTS=${ports.map(portKey).join(' ')}`],
      binds: [],
      networkMode: 'host',
      pidMode: '',
      privileged: false,
      restartPolicy: 'no',
      labels: { [CLUSTER_LABEL]: spec.clusterName },
    });
    await startContainer(docker, id);
    const log = await listenerOutcome(docker, id);
    const taken = [...log.matchAll(/^taken (\S+)$/gm)].map((m) => m[1]);
    if (taken.length) {
      await removeContainer(docker, id);
      const node = nodeOf(spec, input.host);
      throw portTaken(
        input,
        node.internalAddress,
        ports.filter((p) => taken.includes(portKey(p))),
      );
    }
    return { host: input.host, listening: ports.map(portKey) };
  });
}

function unreachable(input: HostInput, failed: readonly PortProbe[]): Error {
  const list = failed.map((p) => `${p.host} (${p.address}) ${describePort(p)}`).join(', ');
  return permanent(
    NON_RETRYABLE.portUnreachable,
    `${input.host}: cannot reach ${list}: check the firewalls and network rules between the hosts (or set disable_port_check to skip the check)`,
  );
}

/**
 * Reaches the peers' ports from this host. `listening` has the hosts the check covers and the ports their
 * listeners hold: a TCP port is probed on every such host (zke's service answers where it holds the port),
 * a UDP port only where a listener answers it.
 */
export async function probeHostPorts(
  input: HostInput & { listening: Record<string, string[]> },
): Promise<{ host: string; probed: number }> {
  return onHostDocker(input, async (docker, spec) => {
    const probes = hostCheck(spec, input.host).probes.filter((p) => {
      const ports = input.listening[p.host];
      return ports !== undefined && (p.protocol === 'tcp' || ports.includes(portKey(p)));
    });
    if (!probes.length) return { host: input.host, probed: 0 };
    const targets = probes.map((p) => `${p.address} ${p.port} ${p.protocol}`);
    const job = { name: PROBE, cluster: spec.clusterName, image: spec.systemImages.kubernetes, binds: [] };
    const log = await runOneShot(
      docker,
      { ...job, command: ['bash', '-c', PROBE_SCRIPT], env: [`TARGETS=${targets.join('\n')}`] },
      () => {},
      180_000,
    );
    const failed = [...log.matchAll(/^unreachable (\S+) (\d+) (\w+)$/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    if (failed.length)
      throw unreachable(
        input,
        probes.filter((_, i) => failed.includes(targets[i])),
      );
    return { host: input.host, probed: probes.length };
  });
}

export async function closePortListeners(input: HostInput): Promise<void> {
  await onHostDocker(input, (docker) => removeContainer(docker, LISTENER));
}

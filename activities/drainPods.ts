// Which pods a drain evicts, skips or is blocked by (kubectl drain's rules with node_drain_input). Pure.
import type { UpgradeStrategy } from '../model/spec/types.ts';

export interface PodObject {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec: { volumes?: { name: string; emptyDir?: unknown }[] };
  status?: { phase?: string };
}

export interface DrainSelection {
  evict: PodObject[];
  /** Mirror (static) pods and, with ignore_daemonsets, DaemonSet pods. */
  skipped: string[];
  /** Why the drain cannot proceed, one line per rule. */
  blockers: string[];
}

type DrainInput = UpgradeStrategy['nodeDrainInput'];

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export const podName = (pod: PodObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

const controllerOf = (pod: PodObject) => pod.metadata.ownerReferences?.find((o) => o.controller);
const finished = (pod: PodObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function selectPodsToEvict(pods: readonly PodObject[], input: DrainInput): DrainSelection {
  const out: DrainSelection = { evict: [], skipped: [], blockers: [] };
  const blocked: Record<string, string[]> = {};
  const block = (rule: string, pod: PodObject) => {
    blocked[rule] ??= [];
    blocked[rule].push(podName(pod));
  };
  for (const pod of pods) {
    if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) {
      out.skipped.push(podName(pod));
      continue;
    }
    const controller = controllerOf(pod);
    if (controller?.kind === 'DaemonSet') {
      if (input.ignoreDaemonsets) out.skipped.push(podName(pod));
      else block('DaemonSet-managed pods (set ignore_daemonsets)', pod);
      continue;
    }
    if (!controller && !finished(pod) && !input.force) {
      block('pods not managed by a controller (set force)', pod);
      continue;
    }
    if (pod.spec.volumes?.some((v) => v.emptyDir !== undefined) && !finished(pod) && !input.deleteLocalData) {
      block('pods with local storage (set delete_local_data)', pod);
      continue;
    }
    out.evict.push(pod);
  }
  out.blockers = Object.entries(blocked).map(([rule, names]) => `${rule}: ${names.join(', ')}`);
  return out;
}

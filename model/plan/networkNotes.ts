// What a change of network plugin does to a running cluster, for the plan's notes: zke adds the new plugin and
// never removes the old one.
import type { ClusterSpec } from '../spec/types.ts';

export function networkPluginNotes(applied: ClusterSpec | undefined, target: ClusterSpec): string[] {
  const from = applied?.network.plugin;
  const to = target.network.plugin;
  if (from === undefined || from === to) return [];
  const change = `the network plugin changes from ${from} to ${to}`;
  if (from === 'flannel' && to === 'canal')
    return [
      `${change}: kube-router starts enforcing the NetworkPolicies the cluster holds (an RKE-format file without ` +
        'network.plugin means canal); write network.plugin: flannel to keep flannel',
    ];
  if (from === 'canal' && to === 'flannel')
    return [
      `${change}: flannel stays, and so do kube-router's DaemonSet and its iptables rules, which go on enforcing ` +
        'NetworkPolicies until removed by hand (docs/rke-compatibility.md, canal)',
    ];
  return [
    `${change}: zke starts ${to} and leaves ${from} running; remove it by hand once ${to} carries the pods`,
  ];
}

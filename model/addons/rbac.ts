// The authorization objects zke applies right after the control plane is up (zke/RKE `ApplyAuthzResources`).
import type { ClusterSpec } from '../spec/types.ts';
import {
  accountSubject,
  clusterRole,
  clusterRoleBinding,
  groupSubject,
  rule,
  serviceAccount,
  userSubject,
} from './accounts.ts';
import { SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';

/** The account addon deploy jobs run as (RKE's `rke-job-deployer`). */
export const JOB_DEPLOYER = 'zke-job-deployer';
/** The user kube-apiserver is to the kubelets: the CN of its kubelet client certificate. */
export const KUBE_APISERVER_USER = 'kube-apiserver';
export const KUBELET_API_ROLE = 'zke:kube-apiserver-kubelet-api';
/** What `kubectl logs/exec/attach/port-forward/top` need from the kubelets. */
const KUBELET_SUBRESOURCES = ['nodes/proxy', 'nodes/stats', 'nodes/log', 'nodes/spec', 'nodes/metrics'];

function jobDeployer(): KubeObject[] {
  return [
    serviceAccount(JOB_DEPLOYER, SYSTEM_NAMESPACE),
    clusterRoleBinding(JOB_DEPLOYER, 'cluster-admin', [accountSubject(JOB_DEPLOYER, SYSTEM_NAMESPACE)]),
  ];
}

/**
 * Every node's kubelet authenticates with the shared kube-node cert (CN `system:node`, O `system:nodes`), which
 * the Node authorizer does not recognise: the `system:node` role is bound to the group instead.
 */
function nodeBinding(): KubeObject {
  return clusterRoleBinding('system:node', 'system:node', [groupSubject('system:nodes')]);
}

function kubeletApiAccess(): KubeObject[] {
  return [
    clusterRole(KUBELET_API_ROLE, [rule('', KUBELET_SUBRESOURCES, ['*'])]),
    clusterRoleBinding(KUBELET_API_ROLE, KUBELET_API_ROLE, [userSubject(KUBE_APISERVER_USER)]),
  ];
}

export function rbacObjects(spec: ClusterSpec): KubeObject[] {
  if (spec.authorization.mode !== 'rbac') return jobDeployer();
  return [...jobDeployer(), nodeBinding(), ...kubeletApiAccess()];
}

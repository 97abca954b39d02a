// zke cert rotate [--services a,b] [--ca]: re-issue certificates and restart what uses them.
import {
  COMMON_HELP,
  command,
  DRY_RUN_HELP,
  dryRunOperation,
  FOLLOW_HELP,
  startOperation,
  UsageError,
} from './online.ts';

const USAGE = `Usage: zke cert rotate [--services a,b] [--ca] [--dry-run] [-n NAME | -c cluster.yml] [--json]

Rotates certificates: by default every service certificate (new keys, same CA); with --services only those
(etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy); with --ca new CAs and
every certificate.
${DRY_RUN_HELP}
${FOLLOW_HELP}
${COMMON_HELP}`;

const options = {
  services: { type: 'string' },
  ca: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
} as const;

export default command('cert', USAGE, options, 1, async (values, [action]) => {
  if (action !== 'rotate') throw new UsageError('expected "zke cert rotate"');
  const list = typeof values.services === 'string' ? values.services.split(',') : [];
  const services = list.map((s) => s.trim()).filter(Boolean);
  if (services.length > 0 && values.ca)
    throw new UsageError('--ca rotates everything; it does not combine with --services');
  const body = { services: services.length > 0 ? services : undefined, ca: values.ca || undefined };
  if (values['dry-run']) return dryRunOperation(values, '/certificates/rotate', body);
  return startOperation(values, '/certificates/rotate', body);
});

// zke cert rotate [--services a,b] [--ca]: re-issue certificates and restart what uses them.
import { command, DRY_RUN_OPTION, OPERATION_HELP, startOrDryRun, UsageError } from './online.ts';

const USAGE = `Usage: zke cert rotate [--services a,b] [--ca] [--dry-run] [-n NAME | -c cluster.yml] [--json]

Rotates certificates: by default every service certificate (new keys, same CA); with --services only those
(etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy); with --ca new CAs and
every certificate.
${OPERATION_HELP}`;

const options = {
  services: { type: 'string' },
  ca: { type: 'boolean', default: false },
  ...DRY_RUN_OPTION,
} as const;

export default command('cert', USAGE, options, 1, async (values, [action]) => {
  if (action !== 'rotate') throw new UsageError('expected "zke cert rotate"');
  const list = typeof values.services === 'string' ? values.services.split(',') : [];
  const services = list.map((s) => s.trim()).filter(Boolean);
  if (services.length > 0 && values.ca)
    throw new UsageError('--ca rotates everything; it does not combine with --services');
  const body = { services: services.length > 0 ? services : undefined, ca: values.ca || undefined };
  return startOrDryRun(values, '/certificates/rotate', body);
});

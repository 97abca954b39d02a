// The cluster spec: types, parsing (zke and RKE formats), defaults and validation.
export { DEFAULTS } from './defaults.ts';
export { parseClusterSpec } from './parse.ts';
export { formatPath } from './paths.ts';
export { redactSecrets } from './redact.ts';
export type * from './types.ts';
export {
  AUTHN_STRATEGIES,
  AUTHZ_MODES,
  DNS_PROVIDERS,
  INGRESS_PROVIDERS,
  METRICS_PROVIDERS,
  NETWORK_PLUGINS,
  ROLES,
  SERVICE_NAMES,
} from './types.ts';
export { parseYaml, YAML_LIMITS } from './yaml.ts';

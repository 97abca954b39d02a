// A Kubernetes API client that reaches a controlplane's apiserver (127.0.0.1:6443 on that host) through
// SSH with the admin certificate. Objects are applied with server-side apply; resource paths come from
// API discovery, so user addons of any kind work.

import { type HttpResponse, httpRequest, type TlsOptions } from '../ssh/http.ts';
import type { SshSession } from '../ssh/session.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export class KubeClient {
  private readonly discovery = new Map<string, ApiResource[]>();

  constructor(
    private readonly session: SshSession,
    private readonly tls: TlsOptions,
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<HttpResponse> {
    return httpRequest(this.session, {
      host: '127.0.0.1',
      port: 6443,
      path,
      method,
      tls: this.tls,
      timeoutMs: 30_000,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': contentType, accept: 'application/json' },
    });
  }

  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.request(method, path, body, contentType);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${summarize(res.body)}`);
    return JSON.parse(res.body) as T;
  }

  /** Server-side apply (create or update, idempotent). */
  async apply(obj: KubeObject, fieldManager = 'zke'): Promise<void> {
    const url = `${await this.objectPath(obj)}?fieldManager=${fieldManager}&force=true`;
    await this.json('PATCH', url, obj, 'application/apply-patch+yaml');
  }

  /** Deletes obj; false when it was not there (nor its kind: a removed CRD took its objects along). */
  async remove(obj: KubeObject): Promise<boolean> {
    return (await this.onObject('DELETE', obj)) !== undefined;
  }

  /** Whether obj is there (false too when the API does not serve its kind). */
  async exists(obj: KubeObject): Promise<boolean> {
    return (await this.onObject('GET', obj)) !== undefined;
  }

  /** `method` on obj's path; undefined when obj, or its kind, is not there. */
  private async onObject(method: string, obj: KubeObject): Promise<HttpResponse | undefined> {
    if (!(await this.served(obj.apiVersion, obj.kind))) return undefined;
    const res = await this.request(method, await this.objectPath(obj));
    if (res.status === 404) return undefined;
    if (res.status >= 300)
      throw new Error(`${method} ${obj.kind}/${obj.metadata.name}: ${res.status} ${summarize(res.body)}`);
    return res;
  }

  /** Whether the API serves `kind` in `apiVersion` now (a new CRD's kind appears once it is established). */
  async served(apiVersion: string, kind: string): Promise<boolean> {
    if (this.discovery.get(apiVersion)?.some((r) => r.kind === kind)) return true;
    this.discovery.delete(apiVersion);
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.request('GET', path);
    if (res.status === 404) return false;
    if (res.status >= 300) throw new Error(`GET ${path}: ${res.status} ${summarize(res.body)}`);
    const list = (JSON.parse(res.body) as { resources: ApiResource[] }).resources;
    this.discovery.set(
      apiVersion,
      list.filter((r) => !r.name.includes('/')),
    );
    return list.some((r) => r.kind === kind);
  }

  async objectPath(obj: KubeObject): Promise<string> {
    const resource = await this.resourceFor(obj.apiVersion, obj.kind);
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
    return `${base}${ns}/${resource.name}/${encodeURIComponent(obj.metadata.name)}`;
  }

  private async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    const served = await this.served(apiVersion, kind);
    const found = served && this.discovery.get(apiVersion)?.find((r) => r.kind === kind);
    if (!found) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return found;
  }
}

function summarize(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

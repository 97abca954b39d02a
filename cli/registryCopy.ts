// Copies images between two registries over the registry HTTP API (v2), no Docker needed: manifests (lists and
// indexes with their platform manifests) and the blobs the target lacks. Basic and bearer-token auth.
import { splitImage } from '../model/images.ts';

export interface Registry {
  /** https://host[:port] or http://host[:port] */
  readonly base: string;
  /** Repository path prefix ('' or 'ns/'), put before each image's own repository. */
  readonly prefix: string;
  readonly user?: string;
  readonly password?: string;
}

/** `host[:port][/ns]`, `http://host[:port][/ns]` or `https://…` (the default scheme). */
export function parseRegistry(ref: string, user?: string, password?: string): Registry {
  const withScheme = /^https?:\/\//.test(ref) ? ref : `https://${ref}`;
  const url = new URL(withScheme);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  return { base: `${url.protocol}//${url.host}`, prefix: path ? `${path}/` : '', user, password };
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

interface Manifest {
  config?: { digest: string };
  layers?: { digest: string }[];
  manifests?: { digest: string }[];
}

function basic(r: Registry): string | undefined {
  return r.user === undefined
    ? undefined
    : `Basic ${Buffer.from(`${r.user}:${r.password ?? ''}`).toString('base64')}`;
}

/** The token service of a registry refused the credentials. */
class TokenRefused extends Error {}

/** The Authorization a 401 challenge asks for: basic credentials, or a token fetched from the realm. */
async function authorize(r: Registry, challenge: string): Promise<string | undefined> {
  if (/^basic/i.test(challenge)) return basic(r);
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!/^bearer/i.test(challenge) || !params.realm) return undefined;
  const url = new URL(params.realm);
  for (const key of ['service', 'scope']) if (params[key]) url.searchParams.set(key, params[key]!);
  const auth = basic(r);
  const res = await fetch(url, auth ? { headers: { authorization: auth } } : {});
  if (!res.ok) throw new TokenRefused(`${url.host}: token refused: ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  return `Bearer ${body.token ?? body.access_token}`;
}

/** The last Authorization each registry asked for: a streamed upload cannot be sent twice, so it goes with it. */
const granted = new WeakMap<Registry, string>();

/** One request to a registry; a 401 is answered once with what its challenge asks for. */
async function request(r: Registry, path: string, init: RequestInit = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `${r.base}${path}`;
  const send = (authorization?: string) =>
    fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) },
    });
  const first = await send(granted.get(r));
  const challenge = first.headers.get('www-authenticate');
  if (first.status !== 401 || !challenge || init.body instanceof ReadableStream) return first;
  const authorization = await authorize(r, challenge);
  if (!authorization) return first;
  granted.set(r, authorization);
  return send(authorization);
}

/** A refused request's status and the start of what the registry said. */
async function refusal(res: Response): Promise<string> {
  return `${res.status} ${(await res.text()).trim().slice(0, 300)}`;
}

async function ok(res: Response, what: string): Promise<Response> {
  if (res.ok) return res;
  throw new Error(`${what}: ${await refusal(res)}`);
}

/** One image's copy: from repository `src` of `from` to repository `dst` of `to`. */
interface CopyJob {
  from: Registry;
  to: Registry;
  src: string;
  dst: string;
}

async function copyBlob({ from, to, src, dst }: CopyJob, digest: string): Promise<boolean> {
  const there = await request(to, `/v2/${dst}/blobs/${digest}`, { method: 'HEAD' });
  if (there.ok) return false;
  const blob = await ok(
    await request(from, `/v2/${src}/blobs/${digest}`),
    `${from.base}/${src} blob ${digest}`,
  );
  const start = await ok(
    await request(to, `/v2/${dst}/blobs/uploads/`, { method: 'POST' }),
    `${to.base}/${dst}: start upload`,
  );
  const location = new URL(start.headers.get('location') ?? '', `${to.base}/`);
  location.searchParams.set('digest', digest);
  const length = blob.headers.get('content-length');
  await ok(
    await request(to, location.toString(), {
      method: 'PUT',
      body: blob.body,
      headers: {
        'content-type': 'application/octet-stream',
        ...(length ? { 'content-length': length } : {}),
      },
      duplex: 'half',
    } as RequestInit),
    `${to.base}/${dst}: upload ${digest}`,
  );
  return true;
}

/** Copies the manifest `ref` (tag or digest) and all it refers to; returns how many blobs were uploaded. */
async function copyManifest(job: CopyJob, ref: string): Promise<number> {
  const { from, to, src, dst } = job;
  const res = await ok(
    await request(from, `/v2/${src}/manifests/${ref}`, { headers: { accept: MANIFEST_TYPES.join(', ') } }),
    `${from.base}/${src}:${ref}`,
  );
  const type = res.headers.get('content-type') ?? MANIFEST_TYPES[0]!;
  const raw = Buffer.from(await res.arrayBuffer());
  const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
  let uploaded = 0;
  for (const child of manifest.manifests ?? []) uploaded += await copyManifest(job, child.digest);
  const blobs = [manifest.config, ...(manifest.layers ?? [])].flatMap((b) => (b ? [b.digest] : []));
  for (const digest of blobs) if (await copyBlob(job, digest)) uploaded += 1;
  await ok(
    await request(to, `/v2/${dst}/manifests/${ref}`, {
      method: 'PUT',
      body: raw,
      headers: { 'content-type': type },
    }),
    `${to.base}/${dst}:${ref}: put manifest`,
  );
  return uploaded;
}

/** Copies `image` (as `zke images list` names it) from `from` to `to`; returns the target name and blobs sent. */
export async function copyImage(
  from: Registry,
  to: Registry,
  image: string,
): Promise<{ target: string; uploaded: number }> {
  const { repo, tag } = splitImage(image);
  const dst = `${to.prefix}${repo}`;
  const uploaded = await copyManifest({ from, to, src: `${from.prefix}${repo}`, dst }, tag);
  return { target: `${new URL(to.base).host}/${dst}:${tag}`, uploaded };
}

/** What `r` answers to these credentials (GET /v2/) when it refuses them; undefined when it takes them. */
export async function registryRefusal(r: Registry): Promise<string | undefined> {
  try {
    const res = await request(r, '/v2/');
    return res.ok ? undefined : await refusal(res);
  } catch (error) {
    if (error instanceof TokenRefused) return error.message;
    throw error;
  }
}

/** The JSON of a manifest (tag or digest) of repository `repo`; undefined when the registry has none. */
async function fetchManifest(r: Registry, repo: string, ref: string): Promise<Manifest | undefined> {
  const res = await request(r, `/v2/${repo}/manifests/${ref}`, {
    headers: { accept: MANIFEST_TYPES.join(', ') },
  });
  if (res.status === 404) return undefined;
  return (await (await ok(res, `${r.base}/${repo}:${ref}`)).json()) as Manifest;
}

/**
 * The labels of `image` (as `zke images list` names it) in `r`, under r's namespace: its config's, or for an
 * index its first platform's; undefined when `r` does not have the image.
 */
export async function imageLabels(r: Registry, image: string): Promise<Record<string, string> | undefined> {
  const { repo, tag } = splitImage(image);
  const path = `${r.prefix}${repo}`;
  let manifest = await fetchManifest(r, path, tag);
  const first = manifest?.manifests?.[0];
  if (first) manifest = await fetchManifest(r, path, first.digest);
  if (!manifest?.config) return undefined;
  const config = await ok(
    await request(r, `/v2/${path}/blobs/${manifest.config.digest}`),
    `${r.base}/${path} blob ${manifest.config.digest}`,
  );
  const { config: settings } = (await config.json()) as { config?: { Labels?: Record<string, string> } };
  return settings?.Labels ?? {};
}

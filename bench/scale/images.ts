// Which provisioning step is the first that cannot run in this lab: a plane whose planned images are not in
// the lab registry yet (the Kubernetes images are built separately). Provisioning is measured up to there.
import { imageDomain, splitImage } from '../../model/images.ts';
import { buildPlan, PHASE_CONTAINERS } from '../../model/plan/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { currentLab } from '../../test/support/lab.ts';

const STEP_OF_PLANE = { etcd: 'etcd plane', controlplane: 'control plane', worker: 'worker plane' } as const;

/** Whether the lab registry holds the image (named with the registry in front, as the lab's specs make it). */
async function inRegistry(image: string): Promise<boolean> {
  const domain = imageDomain(image);
  const { repo, tag } = splitImage(domain ? image.slice(domain.length + 1) : image);
  const res = await fetch(`http://${domain ?? currentLab().registry}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.ok;
}

export interface StopPoint {
  /** The first step that cannot run, or undefined when every plane's images are there. */
  step?: string;
  missing: string[];
}

export async function firstBlockedStep(spec: ClusterSpec): Promise<StopPoint> {
  const plan = buildPlan(spec);
  for (const [plane, names] of Object.entries(PHASE_CONTAINERS) as [
    keyof typeof STEP_OF_PLANE,
    readonly string[],
  ][]) {
    const images = new Set(
      plan.hosts.flatMap((h) => h.containers.filter((c) => names.includes(c.name)).map((c) => c.image)),
    );
    const missing: string[] = [];
    for (const image of images) if (!(await inRegistry(image))) missing.push(image);
    if (missing.length) return { step: STEP_OF_PLANE[plane], missing };
  }
  return { missing: [] };
}

// Which etcd the cluster runs next: the version table's (the spec's etcd image), except that etcd is never
// downgraded and upgrades one minor at a time (the only upgrade path etcd supports: 3.4 → 3.5 → 3.6 → 3.7). The
// newest etcd the cluster has run (PlanState.etcdImage) bounds the choice.
import { ETCD_RELEASES, type EtcdMinor, etcdDefaultFlags, type Flags } from '../versions.ts';

interface EtcdRelease {
  readonly minor: number;
  readonly patch: number;
}

/** The 3.x.y release an etcd image's tag names ("zke/etcd:v3.6.17", "rancher/mirrored-coreos-etcd:v3.5.16"). */
export function etcdRelease(image: string): EtcdRelease | undefined {
  const found = /:v?3\.([0-9]+)\.([0-9]+)(?:[-+][^:/]*)?$/.exec(image);
  return found ? { minor: Number(found[1]), patch: Number(found[2]) } : undefined;
}

const isNewer = (a: EtcdRelease, b: EtcdRelease) =>
  a.minor === b.minor ? a.patch > b.patch : a.minor > b.minor;
const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);

/** The older of two etcd images (an unknown one, or an image whose tag names no release, loses). */
export function olderEtcd(known: string | undefined, image: string): string {
  return bounds(known === undefined ? [image] : [known, image]).oldest?.image ?? image;
}

export interface EtcdChoice {
  readonly image: string;
  /** Flags of that etcd's minor (a flag renamed in 3.6); undefined: the version table's. */
  readonly flags?: Flags;
  /** Why the image is not the table's, for the plan's reader. */
  readonly note?: string;
}

/** The newest etcd a cluster has run and the oldest one a member runs now, of `images` (those that parse). */
function bounds(images: readonly string[]) {
  const known = images.flatMap((image) => {
    const release = etcdRelease(image);
    return release ? [{ image, release }] : [];
  });
  const newest = known.reduce<Known | undefined>(
    (a, b) => (a && !isNewer(b.release, a.release) ? a : b),
    undefined,
  );
  const oldest = known.reduce<Known | undefined>(
    (a, b) => (a && !isNewer(a.release, b.release) ? a : b),
    undefined,
  );
  return { newest, oldest };
}

/**
 * The etcd to run when the table says `planned` and the members run `running` (one image per member, recorded
 * as each was reconciled): never older than the newest of them, never more than one minor past the oldest.
 */
export function chooseEtcd(planned: string, running: readonly string[] = [], origin?: string): EtcdChoice {
  const want = etcdRelease(planned);
  const { newest, oldest } = bounds(running);
  if (!want || !newest || !oldest) return { image: planned };
  const began = origin === undefined ? undefined : etcdRelease(origin);
  if (began && began.minor <= 4 && want.minor >= 6) return staysAt35(planned, newest);
  if (isNewer(newest.release, want))
    return {
      image: newest.image,
      flags: etcdDefaultFlags(newest.release.minor),
      note: `etcd stays at ${tagOf(newest.image)}: ${tagOf(planned)} would downgrade it, which etcd does not support`,
    };
  const step = oldest.release.minor + 1;
  const image = want.minor > step ? atMinor(planned, newest, step) : undefined;
  if (!image) return { image: planned };
  return {
    image,
    flags: etcdDefaultFlags(step),
    note: `etcd upgrades one minor at a time: ${tagOf(oldest.image)} goes to ${tagOf(image)} now, to ${tagOf(planned)} by the next up`,
  };
}

type Known = { image: string; release: EtcdRelease };

/** `planned` at zke's release of etcd `minor`, or the newest image a member ran when that is newer. */
function atMinor(planned: string, newest: Known, minor: number): string | undefined {
  const tag = ETCD_RELEASES[`3.${minor}` as EtcdMinor];
  const release = tag === undefined ? undefined : etcdRelease(`:${tag}`);
  if (!release) return undefined;
  return isNewer(newest.release, release) ? newest.image : planned.replace(/:[^:/]+$/, `:${tag}`);
}

/**
 * A cluster whose etcd data began on 3.4 keeps 3.5: its WAL holds v2 requests of 3.4, which etcd 3.6 refuses to
 * replay ("detected disallowed v2 WAL", etcd-io/etcd#20870) until a raft snapshot covers them; the lab's
 * 3.4 → 3.5 → 3.6 run crash-looped that way.
 */
function staysAt35(planned: string, newest: Known): EtcdChoice {
  const at35 = atMinor(planned, newest, 5) as string;
  return {
    image: at35,
    flags: etcdDefaultFlags(5),
    note: `etcd stays at ${tagOf(at35)}: this cluster's etcd data began on 3.4, whose v2 WAL entries etcd ${tagOf(planned)} refuses to replay`,
  };
}

// zke images load ARCHIVE...: load `docker save` archives into every node's Docker (zke's `loadimage`, the
// air-gap path), through the API: the archives are files on the machine zke's worker runs on.
import path from 'node:path';
import { COMMON_HELP, clusterDocument, command, FOLLOW_HELP, startOperation, UsageError } from './online.ts';

/** At most this many archives per request (the API's limit). */
const MAX_ARCHIVES = 100;

export const LOAD_USAGE = `Usage: zke images load [-n NAME | -c cluster.yml] [--json] ARCHIVE...

Loads each image archive (docker save output, tar or tar.gz) into the Docker of every node of the cluster,
nodes in parallel; a node that has every image of an archive already skips it. Shows per-host progress.
The archives are files on the machine zke's worker runs on (the zke server; with no API running, this
machine), inside an image directory: ZKE_IMAGE_DIRS, default ZKE_HOME/images. A relative ARCHIVE is taken
from the current directory. Without --name the cluster file goes along and is submitted as zke up submits
it (a new revision when it changed), so the first load may come before the first zke up; only the images
are loaded: run zke up afterwards.
${FOLLOW_HELP}
${COMMON_HELP}`;

export default command('images load', LOAD_USAGE, {}, MAX_ARCHIVES, async (values, positionals) => {
  if (positionals.length === 0) throw new UsageError('name at least one ARCHIVE');
  const archives = positionals.map((archive) => path.resolve(archive));
  const spec = await clusterDocument(values);
  return startOperation(values, '/images/load', { archives, ...(spec ? { spec } : {}) });
});

// Runs the uploadSnapshot activity in a process of its own, as a worker would, so a test can SIGKILL it in the
// middle of the upload. Usage: node --import tsx test/support/uploadProcess.ts CLUSTER REVISION SNAPSHOT
import { uploadSnapshot } from '../../activities/snapshotS3.ts';

const [cluster, revision, name] = process.argv.slice(2);
const url = await uploadSnapshot({ cluster: cluster!, revision: Number(revision), name: name! });
console.log(`uploaded ${url}`);

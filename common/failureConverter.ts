// Loaded by path (client, worker and workflow sandbox): failure messages and stacks may quote remote
// stderr, so they are encoded (encrypted) like payloads.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

// A dev server asked for a port another process holds fails at once: before, the other process answered the
// readiness check and the caller got a handle on a server that had died on its bind (a test then froze the wrong one).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startDevServer } from '../../scripts/devServer.ts';
import { tempDir } from '../support/tempDir.ts';

test('startDevServer refuses a port that is already taken, naming it', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  const dir = tempDir('zke-devserver-port');
  try {
    await assert.rejects(
      startDevServer({ cli: '/nonexistent/temporal', dbFile: `${dir}/t.db`, port, logFile: `${dir}/t.log` }),
      new RegExp(`port 127\\.0\\.0\\.1:${port} is taken`),
    );
  } finally {
    holder.close();
  }
});

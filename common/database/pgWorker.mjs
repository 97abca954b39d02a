// The worker thread behind SyncPg (./syncPg.ts): holds the connection pool, runs each request's statements (in one
// transaction when there are several) and answers on the request's port, then wakes the caller (Atomics.notify).
// Plain JavaScript: worker threads do not inherit the TypeScript loader the CLI registers.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: workerData.url,
  max: 4,
  connectionTimeoutMillis: workerData.connectMs,
  statement_timeout: workerData.statementMs,
});
// an idle connection the server dropped (a restart): the pool replaces it on the next request
pool.on('error', () => {});

async function run(statements) {
  if (statements.length === 1) return [(await pool.query(statements[0].text, statements[0].values)).rows];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const rows = [];
    for (const s of statements) rows.push((await client.query(s.text, s.values)).rows);
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

parentPort.on('message', async ({ statements, port, flag }) => {
  let answer;
  try {
    answer = { rows: await run(statements) };
  } catch (error) {
    answer = { error: { message: error.message, code: error.code ?? '' } };
  }
  port.postMessage(answer);
  port.close();
  const done = new Int32Array(flag);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});

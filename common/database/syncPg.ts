// PostgreSQL for synchronous callers: the stores' interface is synchronous (the file store's is), so a worker
// thread holds the connection pool and each call blocks this thread until it answers (Atomics.wait), bounded.
// Statements are parameterised; several passed together run in one transaction.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { StoreFault } from '../store.ts';

export interface Statement {
  text: string;
  values?: unknown[];
}
export type Row = Record<string, unknown>;

const CONNECT_MS = 5_000;
const STATEMENT_MS = 10_000;
/** SQLSTATE classes and codes that mean "the database is not there now", not "this request is wrong". */
const UNAVAILABLE = /^(08|57P0[1-3]|53300)|^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)$/;

export class SyncPg {
  private readonly worker: Worker;

  constructor(readonly url: string) {
    this.worker = new Worker(new URL('./pgWorker.mjs', import.meta.url), {
      workerData: { url, connectMs: CONNECT_MS, statementMs: STATEMENT_MS },
    });
    this.worker.unref(); // the pool never keeps a finished command alive
  }

  /** The rows of one statement. */
  query(text: string, values: unknown[] = []): Row[] {
    return this.transaction([{ text, values }])[0];
  }

  /** The rows of each statement, all run in one transaction. */
  transaction(statements: Statement[]): Row[][] {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ statements, port: port2, flag: flag.buffer }, [port2]);
    const waited = Atomics.wait(flag, 0, 0, CONNECT_MS + STATEMENT_MS + 1_000);
    const answer = receiveMessageOnPort(port1)?.message as
      | { rows: Row[][]; error?: undefined }
      | { error: { message: string; code: string } }
      | undefined;
    port1.close();
    if (waited === 'timed-out' || !answer) throw this.unavailable('ETIMEDOUT', 'no answer in time');
    if (answer.error) {
      const { code, message } = answer.error;
      if (UNAVAILABLE.test(code) || /timeout|terminat|connect/i.test(message))
        throw this.unavailable(code, message);
      throw new Error(`the state database (${this.where()}) refused a request: ${message}`);
    }
    return answer.rows;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  /** Host, port and database of the URL, never its password. */
  where(): string {
    try {
      const u = new URL(this.url);
      return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'ZKE_DATABASE_URL';
    }
  }

  private unavailable(code: string, message: string): StoreFault {
    return new StoreFault(
      code || 'EDBDOWN',
      false,
      `the state database (${this.where()}) is unavailable (${message}): nothing was changed; zke retries`,
    );
  }
}

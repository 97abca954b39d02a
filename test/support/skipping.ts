// node's runner reports a skipped describe as one skipped suite and none of its tests. A suite that may skip
// declares its tests and hooks through these instead: each test is reported skipped with the reason (and
// counted so in the summary), and the hooks do nothing.
import { after, before, it, type TestContext, type TestOptions } from 'node:test';

type Body = (t: TestContext) => void | Promise<void>;
type Hook = () => unknown;

export function skipping(reason: string | undefined) {
  const unlessSkipped = (hook: Hook) => async () => {
    if (!reason) await hook();
  };
  return {
    it: (name: string, options: TestOptions | Body, body?: Body) =>
      typeof options === 'function'
        ? it(name, { skip: reason }, options)
        : it(name, { ...options, skip: reason }, body),
    before: (hook: Hook) => before(unlessSkipped(hook)),
    after: (hook: Hook) => after(unlessSkipped(hook)),
  };
}

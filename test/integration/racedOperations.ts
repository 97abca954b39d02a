// Operations that lose every race to start: another API replica (or request) started an operation on the cluster
// just before, on a revision of its own. For the tests of what a refused submission leaves behind.
import { conflict } from '../../api/problem.ts';
import type { Operations } from '../../api/service/operations.ts';

export function racedOperations(cluster: string): Operations {
  return {
    assertIdle: async () => undefined,
    runs: async () => false,
    start: async () => {
      throw conflict(`cluster ${cluster} is busy: another operation was just started`);
    },
  } as unknown as Operations;
}

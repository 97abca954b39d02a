// Operation progress inside a workflow: answers the status query, keeps the ClusterPhase search attribute
// current, and names steps the way the Temporal UI shows them.
import { log, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { ClusterPhase } from '../common/searchAttributes.ts';
import {
  type HostProgress,
  OPERATION_EVENT,
  type OperationKind,
  type OperationStatus,
  statusQuery,
} from './types.ts';

const MAX_EVENTS = 50;

export class Progress {
  readonly status: OperationStatus;

  constructor(cluster: string, operation: OperationKind, steps: readonly string[], revision?: number) {
    this.status = {
      cluster,
      operation,
      revision,
      phase: 'running',
      step: 'starting',
      stepsDone: [],
      stepsTotal: steps.length,
      hosts: {},
      events: [],
    };
    setHandler(statusQuery, () => this.status);
    this.log('started');
  }

  /** Runs one named step: status, search attribute and a log line before and after. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.status.step = name;
    upsertSearchAttributes([{ key: ClusterPhase, value: name }]);
    setCurrentDetails(
      `**${this.status.operation} ${this.status.cluster}** — step ${this.status.stepsDone.length + 1}/${this.status.stepsTotal}: ${name}`,
    );
    this.event(`${name}: started`);
    const value = await fn();
    this.status.stepsDone.push(name);
    this.event(`${name}: done`);
    return value;
  }

  host(name: string, update: HostProgress): void {
    this.status.hosts[name] = update;
  }

  event(line: string): void {
    this.log(line);
    this.status.events.push(line);
    if (this.status.events.length > MAX_EVENTS)
      this.status.events.splice(0, this.status.events.length - MAX_EVENTS);
  }

  /** Not replayed: the workflow logger is silent while a worker replays history. */
  private log(line: string): void {
    log.info(line, { [OPERATION_EVENT]: `${this.status.operation} ${this.status.cluster}` });
  }

  finish(phase: OperationStatus['phase'], error?: string): void {
    this.status.phase = phase;
    this.status.error = error;
    this.status.step = phase;
    upsertSearchAttributes([{ key: ClusterPhase, value: phase }]);
    this.event(error ? `${phase}: ${error}` : phase);
  }
}

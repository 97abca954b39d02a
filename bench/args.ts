// Command-line flags of `npm run bench` (scenario selection, sizes, runs).
export const SCENARIOS = ['pki', 'api', 'engine', 'fanout', 'scale'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** From this many hosts on, sizes run `largeRuns` times. */
export const LARGE_SIZE = 25;

export interface BenchArgs {
  only: Scenario[];
  /** Host counts for the fan-out comparison. */
  fanoutSizes: number[];
  /** Host counts for the provisioning scale runs. */
  scaleSizes: number[];
  /** Repetitions per size below LARGE_SIZE (medians are reported). */
  runs: number;
  /** Repetitions per size from LARGE_SIZE on (Ansible or a full provision takes minutes there). */
  largeRuns: number;
  /** Only rewrite docs/benchmarks.md and the plots from bench/results/*.json. */
  reportOnly: boolean;
}

export const USAGE = `npm run bench -- [options]
  --only a,b          scenarios to run: ${SCENARIOS.join(', ')} (default: all); footprint runs with scale
  --sizes 3,10        host counts for both fanout and scale
  --fanout-sizes L    host counts for the fan-out comparison (default 3,10,25)
  --scale-sizes L     host counts for provisioning (default 3,10,25,50)
  --runs K            repetitions per size below ${LARGE_SIZE} hosts, medians reported (default 3)
  --large-runs K      repetitions per size of ${LARGE_SIZE} hosts or more (default 1)
  --report            only regenerate docs/benchmarks.md and the plots from bench/results/`;

function sizes(value: string | undefined, flag: string): number[] {
  const list = (value ?? '').split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 200))
    throw new Error(`${flag} needs a comma-separated list of host counts, got "${value}"`);
  return list;
}

function scenarios(value: string | undefined): Scenario[] {
  const list = (value ?? '').split(',');
  const unknown = list.filter((s) => !SCENARIOS.includes(s as Scenario));
  if (unknown.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}`);
  return list as Scenario[];
}

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {
    only: [...SCENARIOS],
    fanoutSizes: [3, 10, 25],
    scaleSizes: [3, 10, 25, 50],
    runs: 3,
    largeRuns: 1,
    reportOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    if (flag === '--only') args.only = scenarios(value());
    else if (flag === '--sizes') args.fanoutSizes = args.scaleSizes = sizes(value(), flag);
    else if (flag === '--fanout-sizes') args.fanoutSizes = sizes(value(), flag);
    else if (flag === '--scale-sizes') args.scaleSizes = sizes(value(), flag);
    else if (flag === '--runs') args.runs = sizes(value(), flag)[0]!;
    else if (flag === '--large-runs') args.largeRuns = sizes(value(), flag)[0]!;
    else if (flag === '--report') args.reportOnly = true;
    else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  return args;
}

export function runsFor(args: Pick<BenchArgs, 'runs' | 'largeRuns'>, size: number): number {
  return size >= LARGE_SIZE ? args.largeRuns : args.runs;
}

// npm run conformance [-- --version vX --slice NAME --focus REGEX --skip REGEX --nodes N --timeout 2h
//   --no-parallel --no-serial --no-save]
// Lab up (its own instance, ZLAB_ID, default 4) → zke provisions a 3-host cluster the way the lab tests do → the
// upstream [Conformance] suite with ginkgo (parallel part, then the [Serial] part) → JUnit results saved in
// conformance/results/<version>/<slice>/ → docs/conformance.md regenerated from every saved run → lab down.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';

const { values: opts } = parseArgs({
  options: {
    version: { type: 'string', default: 'v1.34.4' },
    slice: { type: 'string' },
    focus: { type: 'string', multiple: true, default: [] },
    skip: { type: 'string', multiple: true, default: [] },
    nodes: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '2h' },
    'no-parallel': { type: 'boolean', default: false },
    'no-serial': { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
  },
});
// the lab helpers pick their instance from ZLAB_ID when loaded: set it before importing them
process.env.ZLAB_ID ??= '4';

const root = path.join(import.meta.dirname, '..');
const { conformanceSkipReason, provisionConformanceCluster, runSuitePart } = await import(
  '../test/support/conformance.ts'
);
const { currentLab, labDown, labImages, labUp } = await import('../test/support/lab.ts');
const { startTestWorker, testTemporal } = await import('../test/support/temporal.ts');
const { writeReport } = await import('./conformanceReport.ts');

const version = opts.version;
const slice =
  opts.slice ?? (opts.focus.length ? opts.focus.join('-').replace(/[^A-Za-z0-9.-]+/g, '_') : 'all');
const resultsDir = path.join(root, 'conformance/results', version, slice);
const log = (m: string) => console.log(`conformance: ${m}`);

function machine(): string {
  const release =
    fs.readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? 'Linux';
  const load = os.loadavg()[0].toFixed(1);
  return `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${release}, kernel ${os.release()}, load ${load} at start`;
}

/** The commit the run tests (taken at its start); +dirty when tracked files other than the results changed. */
function zkeCommit(): string {
  const git = (...a: string[]) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' }).trim();
  const results = [':(exclude)docs/conformance.md', ':(exclude)conformance'];
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ...results);
  return git('rev-parse', '--short', 'HEAD') + (dirty ? '+dirty' : '');
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const commit = zkeCommit();
  const hosts = await labUp(3);
  await labImages();
  // build.sh skips what the cache and the registry have (seconds); it knows which images this version's suite names
  log(`lab/k8s/build.sh --version ${version}`);
  const built = spawnSync('bash', [path.join(root, 'lab/k8s/build.sh'), '--version', version], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error(`lab/k8s/build.sh failed (exit ${built.status})`);
  const why = conformanceSkipReason(version);
  if (why) throw new Error(why);
  const t = await testTemporal();
  const worker = await startTestWorker(t);
  try {
    log(`provisioning a 3-host ${version} cluster on lab instance ${currentLab().id}`);
    const { kubeconfig, doc, provisionSeconds } = await provisionConformanceCluster(
      t.client,
      worker.taskQueue,
      hosts,
      version,
    );
    fs.rmSync(resultsDir, { recursive: true, force: true });
    const outDir = opts['no-save'] ? fs.mkdtempSync('/tmp/zke-conformance-') : resultsDir;
    const common = { version, kubeconfig, focus: opts.focus, skip: opts.skip, timeout: opts.timeout, outDir };
    const onOutput = (s: string) => process.stdout.write(s);
    const parts = [];
    if (!opts['no-parallel']) {
      log(`parallel part (${opts.nodes} ginkgo processes) into ${outDir}`);
      const parallel = { name: 'parallel', labels: 'Conformance && !Serial', nodes: Number(opts.nodes) };
      parts.push({ ...parallel, ...(await runSuitePart({ ...common, ...parallel, onOutput })) });
    }
    if (!opts['no-serial']) {
      log('serial part');
      const serial = { name: 'serial', labels: 'Conformance && Serial', nodes: 1 };
      parts.push({ ...serial, ...(await runSuitePart({ ...common, ...serial, onOutput })) });
    }
    const info = {
      version,
      slice,
      zkeCommit: commit,
      startedAt,
      focus: opts.focus,
      skip: opts.skip,
      nodes: Number(opts.nodes),
      provisionSeconds,
      parts: parts.map((p) => ({ name: p.name, seconds: p.seconds, exitCode: p.exitCode })),
      machine: machine(),
      spec: YAML.stringify({ ...doc, option: { ...(doc.option as object), ssh_key_path: '(the lab key)' } }),
    };
    fs.writeFileSync(path.join(outDir, 'run.json'), `${JSON.stringify(info, null, 2)}\n`);
    fs.rmSync(path.join(outDir, 'repo-list.yaml'), { force: true });
    if (!opts['no-save']) {
      writeReport(path.join(root, 'conformance/results'), path.join(root, 'docs/conformance.md'));
      log(`results in ${outDir}; docs/conformance.md regenerated`);
    }
    return parts.some((p) => p.exitCode !== 0) ? 1 : 0;
  } finally {
    await worker.stop();
    await t.close();
  }
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`conformance: ${(err as Error).stack ?? err}`);
} finally {
  await labDown().catch((err) => console.error(`conformance: lab down: ${err}`));
}
process.exit(code);

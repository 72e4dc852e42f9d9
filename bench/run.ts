/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts; with no name, every bench in turn but
 * those in ON_REQUEST (`npm run bench -- mesos` needs a real Mesos build, see README "Real Mesos").
 * Benches print medians and ratios against a baseline measured in the same run, because the
 * machines are shared and noisy.
 */
const BENCHES = ['recordio', 'matching', 'allocator', 'launch', 'many-apps', 'groups', 'store', 'pods', 'master-state', '100k', 'mesos'] as const;
/** Run only when named: they need something the machine may lack (ZooKeeper, a Mesos build) and take minutes. */
const ON_REQUEST: readonly string[] = ['100k', 'mesos'];

interface BenchModule {
  run(args: string[]): Promise<void>;
}

async function runOne(name: string, args: string[]): Promise<void> {
  if (!(BENCHES as readonly string[]).includes(name)) {
    throw new Error(`unknown bench '${name}'; known: ${BENCHES.join(', ')}`);
  }
  const mod = (await import(`./${name}.js`)) as BenchModule;
  process.stdout.write(`\n== bench ${name} ==\n`);
  await mod.run(args);
}

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined) {
    for (const bench of BENCHES) if (!ON_REQUEST.includes(bench)) await runOne(bench, []);
    return;
  }
  await runOne(name, args);
}

// A bench stopped from outside (Ctrl-C, `timeout`) exits through process.exit, so that the
// exit hooks of the test helpers stop the masters, Pacers and ZooKeeper servers it started;
// Node's default for these signals ends the process without running them.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}; stopping the processes it started`);
    process.exit(code);
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});

// `npm run test:mesos`: the real-Mesos tier. Without a Mesos build at $MESOS_HOME it says so in
// one line and succeeds (this is the one tier allowed to skip, in CI too: CI cannot build Mesos
// in its time); with one, it builds Pacer (the tests spawn bin/pacer.js) and runs vitest with
// vitest.mesos.config.ts. Arguments are passed on to vitest (e.g. a test file).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const home = process.env.MESOS_HOME;
if (!home || !existsSync(path.join(home, 'sbin', 'mesos-master'))) {
  console.log(
    'Mesos absent (MESOS_HOME is unset or has no sbin/mesos-master): build it with ../shared/tools/mesos/README.md ' +
      '(fetch github:apache/mesos, then build.sh into ~/mesos) and run `MESOS_HOME=~/mesos npm run test:mesos`; see README "Real Mesos".',
  );
  process.exit(0);
}

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1;
const built = run('npm', ['run', '--silent', 'build']);
if (built !== 0) process.exit(built);
process.exit(run('npx', ['vitest', 'run', '--config', 'vitest.mesos.config.ts', ...process.argv.slice(2)]));

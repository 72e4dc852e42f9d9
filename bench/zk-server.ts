/**
 * A throwaway standalone ZooKeeper server for benches: Debian's `zookeeper` jars (installed by
 * .ci/install-zookeeper.sh) run by `java` on a free loopback port, data in a temporary directory.
 * Unlike the test helper's server it keeps ZooKeeper's default `forceSync=yes`, so every commit
 * is fsynced the way a production ensemble does it and compares fairly with SQLite's FULL sync.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface BenchZooKeeper {
  /** `127.0.0.1:PORT` */
  readonly connectString: string;
  /** Stops the server and deletes its data. Idempotent. */
  stop(): Promise<void>;
}

export class ZooKeeperUnavailableError extends Error {
  readonly code = 'ERR_BENCH_ZOOKEEPER';
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Why no server can be started here, or undefined when one can. */
export function zooKeeperMissing(): string | undefined {
  if (classpath() === undefined) return 'no ZooKeeper jars (/usr/share/java/zookeeper.jar, $ZOOKEEPER_HOME/lib or $PACER_ZOOKEEPER_CLASSPATH)';
  if (java() === undefined) return 'no java executable ($JAVA_HOME/bin or $PATH)';
  return undefined;
}

export async function startBenchZooKeeper(): Promise<BenchZooKeeper> {
  const cp = classpath();
  const javaBin = java();
  if (cp === undefined || javaBin === undefined) throw new ZooKeeperUnavailableError(`cannot start ZooKeeper: ${zooKeeperMissing()}`);
  const dir = mkdtempSync(join(tmpdir(), 'pacer-bench-zk-'));
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      'tickTime=2000',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      'maxClientCnxns=0',
      '4lw.commands.whitelist=ruok',
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(javaBin, ['-Xmx512m', '-cp', cp, 'org.apache.zookeeper.server.ZooKeeperServerMain', config], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A bench that dies midway must not leave a JVM behind.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await stopProcess(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(port, child, START_TIMEOUT_MS);
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-1500) : '';
    await stop();
    throw new ZooKeeperUnavailableError(`ZooKeeper did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${log}`);
  }
  return { connectString: `127.0.0.1:${port}`, stop };
}

function classpath(): string | undefined {
  if (process.env.PACER_ZOOKEEPER_CLASSPATH) return process.env.PACER_ZOOKEEPER_CLASSPATH;
  if (existsSync('/usr/share/java/zookeeper.jar')) return '/usr/share/java/zookeeper.jar';
  const home = process.env.ZOOKEEPER_HOME;
  if (home && existsSync(join(home, 'lib'))) {
    const jars = readdirSync(join(home, 'lib')).filter((f) => f.endsWith('.jar'));
    if (jars.some((f) => f.startsWith('zookeeper-'))) return jars.map((f) => join(home, 'lib', f)).join(delimiter);
  }
  return undefined;
}

function java(): string | undefined {
  const candidates = [
    ...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []),
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'java')),
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Polls the `ruok` four-letter word until the server answers `imok` (it only does once serving). */
async function waitUntilServing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode})`);
    if ((await fourLetterWord(port, 'ruok')) === 'imok') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no 'imok' within ${timeoutMs} ms`);
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 1_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('connect', () => socket.end(word));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer.trim());
    });
    socket.once('error', () => undefined);
    socket.connect(port, '127.0.0.1');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

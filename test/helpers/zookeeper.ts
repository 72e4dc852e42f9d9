// Starts a real standalone ZooKeeper server (Debian's `zookeeper` package, installed by
// .ci/install-zookeeper.sh) on a free loopback port, for tests of detection, announcement and HA.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import zookeeper from 'node-zookeeper-client';

export interface ZooKeeperServer {
  /** `127.0.0.1:PORT`, usable as a node-zookeeper-client connect string and inside zk:// URLs. */
  connectString: string;
  port: number;
  /** Stops the server and deletes its data. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port with the same data (sessions survive if clients return in time). */
  restart(): Promise<void>;
  /** Stops the server process but keeps its port and data, for `resume`. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port with the same data. */
  resume(): Promise<void>;
}

const INSTALL_HINT = 'install it with `bash .ci/install-zookeeper.sh` (Debian package `zookeeper` plus a Java runtime)';
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** The Java classpath of an installed ZooKeeper server, or undefined. PACER_ZOOKEEPER_CLASSPATH overrides. */
export function zookeeperClasspath(): string | undefined {
  const override = process.env.PACER_ZOOKEEPER_CLASSPATH;
  if (override) return override;
  // Debian's jar lists its dependencies in its manifest's Class-Path.
  if (existsSync('/usr/share/java/zookeeper.jar')) return '/usr/share/java/zookeeper.jar';
  // An Apache binary tarball unpacked at ZOOKEEPER_HOME.
  const home = process.env.ZOOKEEPER_HOME;
  if (home && existsSync(join(home, 'lib'))) {
    const jars = readdirSync(join(home, 'lib')).filter((f) => f.endsWith('.jar'));
    if (jars.some((f) => f.startsWith('zookeeper-'))) return jars.map((f) => join(home, 'lib', f)).join(delimiter);
  }
  return undefined;
}

export function javaExecutable(): string | undefined {
  const candidates = [
    ...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'java')),
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

export function zookeeperAvailable(): boolean {
  return zookeeperClasspath() !== undefined && javaExecutable() !== undefined;
}

/**
 * Decides whether ZooKeeper tests run. In CI (`CI=true`) a missing ZooKeeper throws, so the test
 * file fails loudly instead of skipping; elsewhere it returns false and says why on stderr.
 * Use as `describe.runIf(zookeeperTestsEnabled())(…)`.
 */
export function zookeeperTestsEnabled(env: NodeJS.ProcessEnv = process.env, available: boolean = zookeeperAvailable()): boolean {
  if (available) return true;
  const reason = `ZooKeeper server not found (need /usr/share/java/zookeeper.jar or ZOOKEEPER_HOME, and java): ${INSTALL_HINT}`;
  if (env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`skipping ZooKeeper tests: ${reason}\n`);
  return false;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

export interface ZooKeeperOptions {
  /**
   * fsync every commit, as a production server does. Tests leave it off for speed; the store
   * bench turns it on so ZooKeeper pays for durability as SQLite does.
   */
  forceSync?: boolean;
  /** Java heap (-Xmx) in MiB; default 128. The 100k bench holds 100,000 instance nodes and needs more. */
  heapMiB?: number;
  /**
   * The JVM's own defaults (G1, the optimizing compiler), as a production server runs. Tests start
   * faster without them (serial GC, first-tier compiler only); benches that load ZooKeeper hard
   * measure Pacer against a server with its pauses and its speed as deployed.
   */
  productionJvm?: boolean;
}

export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperServer> {
  const classpath = zookeeperClasspath();
  const java = javaExecutable();
  if (!classpath || !java) throw new Error(`ZooKeeper is not installed: ${INSTALL_HINT}`);

  const dir = mkdtempSync(join(tmpdir(), 'pacer-zk-'));
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      // A short tick lets tests use sub-second session timeouts (the minimum is 2 ticks).
      'tickTime=200',
      'minSessionTimeout=400',
      'maxSessionTimeout=60000',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      'maxClientCnxns=0',
      `forceSync=${options.forceSync === true ? 'yes' : 'no'}`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'server.log');

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const out = openSync(logFile, 'a');
    child = spawn(
      java,
      [
        `-Xmx${options.heapMiB ?? 128}m`,
        ...(options.productionJvm === true ? [] : ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
        '-Dzookeeper.admin.enableServer=false',
        '-cp',
        classpath,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        config,
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    running.add(child);
    const started = child;
    started.once('exit', () => running.delete(started));
    try {
      await waitForSession(`127.0.0.1:${port}`, started, STARTUP_TIMEOUT_MS);
    } catch (error) {
      await stopProcess(started);
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`ZooKeeper did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${log}`);
    }
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  const halt = async (): Promise<void> => {
    if (stopped) throw new Error('ZooKeeper server already stopped');
    if (child) await stopProcess(child);
  };
  const resume = async (): Promise<void> => {
    if (stopped) throw new Error('ZooKeeper server already stopped');
    await launch();
  };
  return {
    connectString: `127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await resume();
    },
    halt,
    resume,
  };
}

/**
 * Makes ZooKeeper expire a live session, the way Curator's test utilities do: a second client
 * joins the session with its id and password and closes it, which ends the session on the
 * server; the original client learns `expired` when it next talks to the server. The original
 * client may win the session back before the close arrives, so this repeats (bounded) until
 * joining the session is refused as expired. When the original wins it back while the close is
 * already on its way, the server (3.8) ends the session yet leaves the original's connection
 * open and silently drops its requests: the original then learns of the expiry only through
 * ZkSession's read timeout, as it would behind a network that drops packets.
 */
export async function expireSession(connectString: string, identity: { id: Buffer; password: Buffer }): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const client = zookeeper.createClient(connectString, {
      sessionTimeout: 10_000,
      spinDelay: 100,
      sessionId: identity.id,
      sessionPassword: identity.password,
    } as Parameters<typeof zookeeper.createClient>[1]);
    const outcome = await new Promise<'connected' | 'expired' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 5_000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve('connected');
      });
      client.once('expired', () => {
        clearTimeout(timer);
        resolve('expired');
      });
      client.connect();
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.close();
    });
    if (outcome === 'expired') return;
  }
  throw new Error('could not make ZooKeeper expire the session');
}

async function waitForSession(connectString: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const port = Number(connectString.split(':')[1]);
  // Wait for the port first: a client started earlier would only spin on refused connections.
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode})`);
    if (Date.now() > deadline) throw new Error('timed out waiting for the client port');
    await sleep(50);
  }
  // A server still starting up can accept a connection and never answer it, and the client
  // library has no timeout for that, so each attempt gets a fresh client and a short deadline.
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode})`);
    if (await trySession(connectString, Math.min(2_000, Math.max(deadline - Date.now(), 1)))) return;
  }
  throw new Error('timed out waiting for a session');
}

async function trySession(connectString: string, timeoutMs: number): Promise<boolean> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 4_000, spinDelay: 50 });
  const connected = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(true);
    });
    client.connect();
  });
  client.close();
  if (!connected) {
    (client as unknown as { connectionManager?: { socket?: Socket } }).connectionManager?.socket?.destroy();
  }
  return connected;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

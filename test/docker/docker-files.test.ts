/**
 * docker/Dockerfile and docker/compose.yml, checked without a Docker engine (none runs on the
 * development and CI machines). The Dockerfile is read instruction by instruction, and its
 * runtime stage is reassembled in a temporary directory from exactly the paths it copies and
 * started for real, so a path dropped from the image fails here. compose.yml is validated by
 * the compose CLI when one is installed, and always read as text for the services, images and
 * flags Pacer needs (the project has no YAML parser and does not add one for this).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { SERVE_FLAGS } from '../../src/cli/specs.js';
import { signalGroup, within } from '../helpers/pacer-process.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCKERFILE = readFileSync(path.join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');
const COMPOSE = readFileSync(path.join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8');
const DOCKERIGNORE = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');

// ---------------------------------------------------------------------------------------------
// Dockerfile reading

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Comment lines dropped, continuation lines joined, split at FROM into stages. */
function readDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const joined = `${pending}${line}`.trim();
    pending = '';
    if (joined !== '') logical.push(joined);
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key, value] = instruction.args.split('=');
      globalArgs.set(key!, value ?? '');
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function jsonArray(args: string): string[] {
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return value;
}

interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

function copies(stage: Stage): Copy[] {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    let from: string | undefined;
    while (words[0]?.startsWith('--')) {
      const option = words.shift()!;
      if (option.startsWith('--from=')) from = option.slice('--from='.length);
    }
    const destination = words.pop()!;
    return { from, sources: words.map((w) => w.replace(/^\.\//, '').replace(/^\/app\//, '')), destination };
  });
}

/** Whether a .dockerignore pattern list leaves `relPath` out of the build context. */
function ignoredByDockerignore(relPath: string, text: string): boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return patterns.some((pattern) => {
    if (pattern.includes('*')) {
      const regex = new RegExp(
        `^${pattern
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*')}$`,
      );
      return regex.test(relPath) || regex.test(path.basename(relPath));
    }
    return relPath === pattern || relPath.startsWith(`${pattern}/`);
  });
}

/** Module specifiers of static and dynamic relative imports (and re-exports). */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(match[1]!);
  return found;
}

async function typeScriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

const dockerfile = readDockerfile(DOCKERFILE);
const buildStage = dockerfile.stages.find((s) => s.name === 'build');
const runtimeStage = dockerfile.stages.at(-1)!;

/** Paths the runtime needs: each must be in the image and exist in the repository after a build. */
const RUNTIME_FILES = ['dist/src/main.js', 'bin/pacer.js', 'proto/mesos/v1/mesos.proto', 'src/ui/static/index.html'];

describe('docker/Dockerfile', () => {
  it('builds in a build stage the way `npm ci` does here, then drops dev dependencies', () => {
    expect(buildStage, 'a stage named build').toBeDefined();
    const runs = all(buildStage!, 'RUN').join('\n');
    const ci = runs.indexOf('npm ci');
    const build = runs.indexOf('npm run build');
    const prune = runs.indexOf('npm prune --omit=dev');
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
    expect(prune).toBeGreaterThan(build);
    // --ignore-scripts skips the native addon's install script: it must be rebuilt explicitly.
    if (/npm ci[^\n&]*--ignore-scripts/.test(runs)) expect(runs).toMatch(/npm rebuild better-sqlite3/);
  });

  it('uses one slim Node LTS base for both stages, so the native addon matches the runtime', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(runtimeStage.from).toBe(buildStage!.from);
    const resolved = buildStage!.from.replace(/\$\{(\w+)\}/g, (_, name: string) => dockerfile.globalArgs.get(name) ?? '');
    const major = /^node:(\d+)-slim$/.exec(resolved);
    expect(major, `base image ${resolved}`).not.toBeNull();
    // Node LTS lines are the even majors; 22 is the oldest one still supported.
    expect(Number(major![1]) % 2).toBe(0);
    expect(Number(major![1])).toBeGreaterThanOrEqual(22);
  });

  it('copies only the shipped artefacts from the build stage into the runtime stage', () => {
    const runtimeCopies = copies(runtimeStage);
    expect(
      runtimeCopies.every((c) => c.from === 'build'),
      'runtime copies nothing from the build context',
    ).toBe(true);
    const sources = runtimeCopies.flatMap((c) => c.sources);
    expect(new Set(sources)).toEqual(new Set(['package.json', 'node_modules', 'dist/src', 'bin', 'proto', 'src/ui/static']));
    for (const c of runtimeCopies) {
      expect(c.sources).toHaveLength(1);
      expect(path.posix.join('/app', c.destination)).toBe(path.posix.join('/app', c.sources[0]!));
    }
  });

  it('runs as a non-root user from /app, on port 8080, with its data on a volume', () => {
    const users = all(runtimeStage, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
    expect(all(runtimeStage, 'WORKDIR').at(-1)).toBe('/app');
    expect(all(runtimeStage, 'EXPOSE')).toContain('8080');
    const volumes = all(runtimeStage, 'VOLUME').flatMap((v) => (v.startsWith('[') ? jsonArray(v) : v.split(/\s+/)));
    expect(volumes).toContain('/var/lib/pacer');
    // Without --zk the embedded store writes to PACER_DATA_DIR: it must be the volume.
    expect(all(runtimeStage, 'ENV').join(' ')).toMatch(/PACER_DATA_DIR=\/var\/lib\/pacer\b/);
  });

  it('starts `node bin/pacer.js` listening on all addresses by default', () => {
    expect(jsonArray(all(runtimeStage, 'ENTRYPOINT').at(-1)!)).toEqual(['node', 'bin/pacer.js']);
    const cmd = jsonArray(all(runtimeStage, 'CMD').at(-1)!);
    const parsed = parseFlags(cmd, SERVE_FLAGS, {});
    expect(parsed.positionals).toEqual([]);
    expect(parsed.values.http_address).toBe('0.0.0.0');
  });

  it('copies into the build stage only paths that exist and that .dockerignore lets through', () => {
    const contextSources = copies(buildStage!)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    expect(contextSources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'proto', 'bin']));
    for (const source of contextSources) {
      expect(existsSync(path.join(REPO_ROOT, source)), `${source} exists`).toBe(true);
      expect(ignoredByDockerignore(source, DOCKERIGNORE), `${source} is not in .dockerignore`).toBe(false);
    }
    // The local install and build must not reach the image through the context.
    for (const local of ['node_modules', 'dist', 'data', 'test']) expect(ignoredByDockerignore(local, DOCKERIGNORE)).toBe(true);
  });

  it('copies into the build stage every file the TypeScript it compiles imports', async () => {
    const contextSources = copies(buildStage!)
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    const inContext = (rel: string): boolean => contextSources.some((s) => rel === s || rel.startsWith(`${s}/`));
    const compiled = contextSources.filter((s) => s === 'src' || s === 'bench');
    expect(compiled).toContain('src');
    const escapes: string[] = [];
    for (const dir of compiled) {
      for (const file of await typeScriptFiles(path.join(REPO_ROOT, dir))) {
        for (const specifier of relativeImports(await readFile(file, 'utf8'))) {
          const target = path.relative(REPO_ROOT, path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
          if (!inContext(target)) escapes.push(`${path.relative(REPO_ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(escapes, 'imports of files the image build does not copy').toEqual([]);
  });

  it('copies into the runtime stage paths that exist after `npm run build`', () => {
    for (const source of copies(runtimeStage).flatMap((c) => c.sources)) {
      expect(existsSync(path.join(REPO_ROOT, source)), `${source} exists (run npm run build first)`).toBe(true);
    }
    for (const file of RUNTIME_FILES) expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
  });

  describe('the runtime stage reassembled from its COPY lines', () => {
    let root: string;
    let pacer: RunningPacer | undefined;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'pacer-image-'));
      const app = path.join(root, 'app');
      for (const source of copies(runtimeStage).flatMap((c) => c.sources)) {
        const target = path.join(app, source);
        await mkdir(path.dirname(target), { recursive: true });
        // node_modules is linked (dev dependencies included, a superset of the image's); our own
        // files are copied, because Node resolves a symlinked module to its real path and would
        // then find proto/ and the UI in the repository instead of here.
        if (source === 'node_modules') await symlink(path.join(REPO_ROOT, source), target, 'dir');
        else await cp(path.join(REPO_ROOT, source), target, { recursive: true });
      }
      await mkdir(path.join(root, 'data'));
      await mkdir(path.join(root, 'work'));
      const entrypoint = jsonArray(all(runtimeStage, 'ENTRYPOINT').at(-1)!);
      const cmd = jsonArray(all(runtimeStage, 'CMD').at(-1)!);
      // The image's command line, then loopback and a free port for the test (later flags win).
      pacer = await startPacer(
        app,
        [...entrypoint.slice(1), ...cmd, '--http_address', '127.0.0.1', '--http_port', '0', '--agents', '1', '--work_dir', path.join(root, 'work')],
        { PACER_DATA_DIR: path.join(root, 'data'), NODE_ENV: 'production', PACER_LOG_FORMAT: 'json' },
      );
    });

    afterAll(async () => {
      await pacer?.stop();
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    it('serves /ping and the UI, and its HEALTHCHECK passes; once stopped, the HEALTHCHECK fails', async () => {
      const ping = await fetch(`${pacer!.url}/ping`);
      expect(ping.status).toBeLessThan(300);
      const ui = await fetch(`${pacer!.url}/ui/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toMatch(/<html/i);
      for (const asset of ['/ui/app/main.js', '/ui/static/styles.css']) {
        expect((await fetch(`${pacer!.url}${asset}`)).status, asset).toBe(200);
      }

      const healthcheck = all(runtimeStage, 'HEALTHCHECK').at(-1)!;
      const probe = jsonArray(healthcheck.slice(healthcheck.indexOf('CMD') + 'CMD'.length).trim());
      expect(probe[0]).toBe('node');
      const port = new URL(pacer!.url).port;
      expect(await exitCode(probe, { PACER_HTTP_PORT: port })).toBe(0);
      await pacer!.stop();
      expect(await exitCode(probe, { PACER_HTTP_PORT: port })).toBe(1);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// compose.yml

interface ComposeCli {
  command: string;
  prefix: string[];
}

async function findComposeCli(): Promise<ComposeCli | undefined> {
  for (const candidate of [
    { command: 'docker', prefix: ['compose'] },
    { command: 'docker-compose', prefix: [] },
  ]) {
    const result = await run(candidate.command, [...candidate.prefix, 'version'], REPO_ROOT);
    if (result.code === 0) return candidate;
  }
  return undefined;
}

const composeCli = await findComposeCli();
const composeName = composeCli === undefined ? 'no compose CLI installed' : [composeCli.command, ...composeCli.prefix].join(' ');

/**
 * Reads the block style compose.yml is written in: `services:` at column 0, service names at
 * two spaces, their keys at four, list items and mapping entries at six.
 */
function serviceBlock(name: string): string[] {
  const lines = COMPOSE.split('\n');
  const servicesAt = lines.indexOf('services:');
  expect(servicesAt, 'a services: section').toBeGreaterThanOrEqual(0);
  const start = lines.indexOf(`  ${name}:`, servicesAt);
  expect(start, `service ${name}`).toBeGreaterThan(servicesAt);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    block.push(line);
  }
  return block;
}

function unquote(value: string): string {
  return value
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/^'(.*)'$/, '$1');
}

function scalar(block: string[], key: string): string | undefined {
  const line = block.find((l) => l.startsWith(`    ${key}:`));
  return line === undefined ? undefined : unquote(line.slice(`    ${key}:`.length));
}

function nested(block: string[], key: string): string[] {
  const start = block.indexOf(`    ${key}:`);
  if (start === -1) return [];
  const out: string[] = [];
  for (const line of block.slice(start + 1)) {
    if (!line.startsWith('      ')) break;
    out.push(line.slice(6));
  }
  return out;
}

function listItems(block: string[], key: string): string[] {
  return nested(block, key)
    .filter((l) => l.startsWith('- '))
    .map((l) => unquote(l.slice(2)));
}

function mapping(block: string[], key: string): Map<string, string> {
  return new Map(
    nested(block, key)
      .filter((l) => /^[\w.-]+:/.test(l))
      .map((l) => [l.slice(0, l.indexOf(':')), unquote(l.slice(l.indexOf(':') + 1))]),
  );
}

/** `${VAR:-default}` image references resolve to their default. */
function imageOf(block: string[]): string {
  const image = scalar(block, 'image') ?? '';
  return image.replace(/^\$\{\w+:-(.*)\}$/, '$1');
}

describe('docker/compose.yml', () => {
  // Elsewhere a machine without a Compose CLI skips this one check; in CI it is a failure.
  it.skipIf(composeCli === undefined && process.env.CI !== 'true')(`is a valid compose file (${composeName}: config -q)`, async () => {
    if (composeCli === undefined) throw new Error('no Compose CLI (docker compose or docker-compose); CI must install it with .ci/install-compose.sh');
    const quiet = await run(composeCli.command, [...composeCli.prefix, '-f', 'docker/compose.yml', 'config', '-q'], REPO_ROOT);
    expect(quiet.code, quiet.stderr).toBe(0);
    // The build context `..` must resolve to the repository root, where the Dockerfile's COPY paths are.
    const full = await run(composeCli.command, [...composeCli.prefix, '-f', 'docker/compose.yml', 'config'], REPO_ROOT);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain(`context: ${REPO_ROOT}`);
  });

  it('runs ZooKeeper, a Mesos master and agent, and Pacer with its flags (text check, no YAML parser)', () => {
    expect(imageOf(serviceBlock('zookeeper'))).toMatch(/^zookeeper:\d+(\.\d+)*$/);

    const master = serviceBlock('mesos-master');
    expect(imageOf(master)).toMatch(/^mesos\/mesos-master:\d+\.\d+\.\d+$/);
    expect(mapping(master, 'environment').get('MESOS_ZK')).toBe('zk://zookeeper:2181/mesos');

    const agent = serviceBlock('mesos-agent');
    expect(imageOf(agent)).toMatch(/^mesos\/mesos-agent:\d+\.\d+\.\d+$/);
    const agentEnv = mapping(agent, 'environment');
    expect(agentEnv.get('MESOS_MASTER')).toBe('zk://zookeeper:2181/mesos');
    expect(agentEnv.get('MESOS_CONTAINERIZERS')).toBe('mesos');
    expect(agentEnv.get('MESOS_WORK_DIR')).toMatch(/^\//);
    expect(agentEnv.get('MESOS_SYSTEMD_ENABLE_SUPPORT')).toBe('false');
    expect(scalar(agent, 'privileged')).toBe('true');

    const pacer = serviceBlock('pacer');
    expect(mapping(pacer, 'build')).toEqual(
      new Map([
        ['context', '..'],
        ['dockerfile', 'docker/Dockerfile'],
      ]),
    );
    const parsed = parseFlags(listItems(pacer, 'command'), SERVE_FLAGS, {});
    expect(parsed.positionals).toEqual([]);
    expect(parsed.values).toMatchObject({
      master: 'zk://zookeeper:2181/mesos',
      zk: 'zk://zookeeper:2181/pacer',
      hostname: 'pacer',
      http_address: '0.0.0.0',
      webui_url: 'http://localhost:8080/ui/',
    });
    // Pacer exits when it loses leadership and relies on being restarted.
    expect(scalar(pacer, 'restart')).toMatch(/^(always|unless-stopped|on-failure)/);
  });

  it('publishes only the Mesos master (5050) and Pacer (8080), on 127.0.0.1', () => {
    const published = ['zookeeper', 'mesos-master', 'mesos-agent', 'pacer'].flatMap((name) =>
      listItems(serviceBlock(name), 'ports').map((port) => ({ name, port })),
    );
    expect(published).toEqual([
      { name: 'mesos-master', port: '127.0.0.1:5050:5050' },
      { name: 'pacer', port: '127.0.0.1:8080:8080' },
    ]);
    expect(COMPOSE).not.toMatch(/network_mode:\s*host/);
  });
});

// ---------------------------------------------------------------------------------------------
// processes

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function exitCode(argv: string[], env: Record<string, string>): Promise<number | null> {
  const command = argv[0] === 'node' ? process.execPath : argv[0]!;
  return (await run(command, argv.slice(1), REPO_ROOT, env)).code;
}

interface RunningPacer {
  url: string;
  stop(): Promise<void>;
}

/** `node <args>` in `cwd` until it logs "Pacer API listening"; bounded waits, group kill on stop. */
async function startPacer(cwd: string, args: string[], env: Record<string, string>): Promise<RunningPacer> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child.pid!, 'SIGTERM');
        if (!(await within(exited, 10_000))) {
          signalGroup(child.pid!, 'SIGKILL');
          await within(exited, 5_000);
        }
      }
    })();
    return stopping;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Pacer API listening" within 20 s\n${tail.join('\n')}`)), 20_000);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`pacer exited (code ${child.exitCode})\n${tail.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
        if (entry.msg === 'Pacer API listening' && typeof entry.url === 'string') {
          clearTimeout(timer);
          resolve(entry.url.replace(/\/$/, ''));
        }
      } catch {
        // Not a log line of ours.
      }
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

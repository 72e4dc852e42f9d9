#!/usr/bin/env node
// Draws the import graph between the layers of src/ and checks that every import goes down.
//
//   node scripts/import-graph.mjs            edge list between layers, with import counts
//   node scripts/import-graph.mjs --dot      the same graph in Graphviz DOT (pipe to `dot -Tsvg`)
//   node scripts/import-graph.mjs --check    exit 1, naming each file-level import a layer may not make
//   --root DIR                               examine another checkout (default: this one)
//
// Imports are read with the TypeScript compiler's own pre-processor (ts.preProcessFile), so
// `import`, `import type`, `export … from` and `import()` all count: a type-only import still
// ties the importer to the layer it names. Only relative imports between files of src/ are edges;
// packages and node: modules are not layers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layers of src/, top to bottom, and what each may import. This table is the rule: a layer
 * may import only the layers it lists, and may list only layers below it, so no edge can run up.
 * Everything under src/ must belong to exactly one layer (the longest matching path wins).
 */
export const LAYERS = [
  {
    name: 'main',
    paths: ['src/main.ts'],
    why: 'the process entry: picks a command from argv and runs it',
    mayImport: ['cli', 'shared'],
  },
  {
    name: 'cli',
    paths: ['src/cli/'],
    why:
      'the command line: `serve` and `mesos-local` read flags into typed options and call the composition ' +
      'roots (so they may name what they configure); the client commands speak HTTP to a running Pacer',
    mayImport: ['pacer', 'api', 'local', 'mesos', 'state', 'shared'],
  },
  {
    name: 'pacer',
    paths: ['src/pacer.ts'],
    why: 'composition root of the scheduler: builds store, election, driver, orchestrator and facade from typed options',
    mayImport: ['api', 'ui', 'scheduler', 'model', 'local', 'mesos', 'state', 'zk', 'shared'],
  },
  {
    name: 'api',
    paths: ['src/api/'],
    why:
      "Marathon's REST API and event stream: HTTP only (routes, rendering, errors); it renders the " +
      "orchestrator's views, the matcher's diagnosis, task states and maps store errors to HTTP",
    mayImport: ['scheduler', 'model', 'matching', 'mesos', 'state', 'shared'],
  },
  {
    name: 'ui',
    paths: ['src/ui/'],
    why: 'the web UI: a fastify plugin serving static files, and browser code that talks to the API over HTTP',
    mayImport: ['shared'],
  },
  {
    name: 'scheduler',
    paths: ['src/scheduler/'],
    why:
      'the orchestrator: specs to instances, deployments, launch queue, health, kills, reconciliation; ' +
      'it drives Mesos through the driver and persists through the Store, but never reaches the embedded master',
    mayImport: ['model', 'matching', 'mesos', 'state', 'shared'],
  },
  {
    name: 'model',
    paths: ['src/model/'],
    why: "Marathon's semantics of apps (ids, normalisation, validation, JSON): no HTTP, no Mesos wire, no storage",
    mayImport: ['shared'],
  },
  {
    name: 'matching',
    paths: ['src/matching/'],
    why: 'the offer-matching core: pure functions, no I/O, no clock; imports nothing of Pacer',
    mayImport: [],
  },
  {
    name: 'local',
    paths: ['src/local/'],
    why:
      'the embedded Mesos master and agents: the server side of the same wire, a stack of its own beside ' +
      "the orchestrator; it shares the driver's wire types and codecs and announces itself in ZooKeeper",
    mayImport: ['mesos', 'zk', 'shared'],
  },
  {
    name: 'mesos',
    paths: ['src/mesos/'],
    why: 'the Mesos v1 wire: types, JSON/protobuf codecs, RecordIO, the driver, master detection (ZooKeeper registry)',
    mayImport: ['zk', 'shared'],
  },
  {
    name: 'state',
    paths: ['src/state/'],
    why: 'the Store: SQLite and ZooKeeper implementations behind one interface, opened from typed options',
    mayImport: ['zk', 'shared'],
  },
  {
    name: 'zk',
    paths: ['src/zk/'],
    why: 'ZooKeeper: the session, its errors, multi, leader election and the group recipe of the master registry',
    mayImport: ['shared'],
  },
  {
    name: 'shared',
    paths: ['src/log.ts', 'src/version.ts'],
    why: 'leaf utilities every layer may use (the logger factory, the package version); they import no Pacer code',
    mayImport: [],
  },
];

const rank = new Map(LAYERS.map((layer, index) => [layer.name, index]));

/** Problems in the table itself: unknown names, or a layer allowed to import one above it. */
export function tableProblems(layers = LAYERS) {
  const problems = [];
  layers.forEach((layer, index) => {
    for (const target of layer.mayImport) {
      if (!rank.has(target)) problems.push(`${layer.name} lists unknown layer ${target}`);
      else if (rank.get(target) <= index) problems.push(`${layer.name} lists ${target}, which is not below it`);
    }
  });
  return problems;
}

export function layerOf(file) {
  let best;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      const matches = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (matches && (best === undefined || p.length > best.length)) best = { layer: layer.name, length: p.length };
    }
  }
  return best?.layer;
}

function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) files.push(rel);
    }
  };
  walk('src');
  return files.sort();
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts`; a directory means its index.ts. */
function resolveImport(root, from, specifier) {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [joined.replace(/\.(m?)js$/, '.$1ts'), joined, `${joined}.ts`, `${joined}/index.ts`]) {
    try {
      if (statSync(path.join(root, candidate)).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  return joined;
}

/** Every relative import between files of src/, with the layers at both ends. */
export function importEdges(root) {
  const edges = [];
  const unplaced = [];
  for (const file of sourceFiles(root)) {
    const fromLayer = layerOf(file);
    if (fromLayer === undefined) unplaced.push(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveImport(root, file, fileName);
      if (!target.startsWith('src/')) continue;
      edges.push({ from: file, to: target, fromLayer, toLayer: layerOf(target) });
    }
  }
  return { edges, unplaced };
}

/** The imports the table forbids, each with the reason. */
export function violations(edges) {
  const allowed = new Map(LAYERS.map((layer) => [layer.name, new Set(layer.mayImport)]));
  const found = [];
  for (const edge of edges) {
    if (edge.fromLayer === undefined || edge.toLayer === undefined || edge.fromLayer === edge.toLayer) continue;
    if (allowed.get(edge.fromLayer).has(edge.toLayer)) continue;
    const up = rank.get(edge.toLayer) < rank.get(edge.fromLayer);
    found.push({ ...edge, why: up ? 'goes up the layers' : `${edge.fromLayer} does not list ${edge.toLayer}` });
  }
  return found;
}

function layerCounts(edges) {
  const counts = new Map();
  for (const { fromLayer, toLayer } of edges) {
    if (fromLayer === toLayer || fromLayer === undefined || toLayer === undefined) continue;
    const key = `${fromLayer}\u0000${toLayer}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [from, to] = key.split('\u0000');
      return { from, to, count };
    })
    .sort((a, b) => rank.get(a.from) - rank.get(b.from) || rank.get(a.to) - rank.get(b.to));
}

function main(argv) {
  const rootIndex = argv.indexOf('--root');
  const root = rootIndex >= 0 ? path.resolve(argv[rootIndex + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { edges, unplaced } = importEdges(root);
  const bad = violations(edges);
  const badPairs = new Set(bad.map((v) => `${v.fromLayer}\u0000${v.toLayer}`));
  const counts = layerCounts(edges);

  if (argv.includes('--dot')) {
    const lines = ['digraph layers {', '  rankdir=TB;', '  node [shape=box, fontname="sans-serif"];'];
    for (const layer of LAYERS) lines.push(`  "${layer.name}" [tooltip="${layer.why.replace(/"/g, "'")}"];`);
    for (const { from, to, count } of counts) {
      const red = badPairs.has(`${from}\u0000${to}`) ? ', color=red, fontcolor=red' : '';
      lines.push(`  "${from}" -> "${to}" [label="${count}"${red}];`);
    }
    lines.push('}');
    console.log(lines.join('\n'));
  } else {
    console.log('Layers, top to bottom (a layer imports only those it lists):');
    for (const layer of LAYERS) console.log(`  ${layer.name.padEnd(10)} → ${layer.mayImport.join(', ') || '(nothing)'}`);
    console.log('\nImports between layers (count of import statements):');
    for (const { from, to, count } of counts) {
      const mark = badPairs.has(`${from}\u0000${to}`) ? '   ✗ not allowed' : '';
      console.log(`  ${from.padEnd(10)} → ${to.padEnd(10)} ${String(count).padStart(4)}${mark}`);
    }
  }

  if (argv.includes('--check')) {
    const problems = [...tableProblems(), ...unplaced.map((f) => `${f} belongs to no layer: add its path to LAYERS in scripts/import-graph.mjs`)];
    for (const v of bad) problems.push(`${v.from} (${v.fromLayer}) imports ${v.to} (${v.toLayer}): ${v.why}`);
    if (problems.length > 0) {
      console.error(`\nLayer check failed (${problems.length}):`);
      for (const p of problems) console.error(`  ${p}`);
      process.exitCode = 1;
    } else {
      console.error(`\nLayer check passed: ${edges.length} imports, none against the layer order.`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

#!/usr/bin/env node
// Prints the README's flag tables from the flag specs the binary itself uses, so the README
// cannot drift from `pacer --help`. Needs a build (`npm run build`):
//
//   node scripts/flags-table.mjs            # both tables
//   node scripts/flags-table.mjs serve      # only `pacer serve`
//   node scripts/flags-table.mjs mesos-local
//   node scripts/flags-table.mjs --write    # replace the tables between the README's markers
//   node scripts/flags-table.mjs --check    # exit 1 if the README's tables are out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { envVarName } from '../dist/src/cli/flags.js';
import {
  MESOS_LOCAL_ENV_PREFIXES,
  MESOS_LOCAL_FLAGS,
  MESOS_LOCAL_UNITS_NOTE,
  SERVE_ENV_PREFIXES,
  SERVE_FLAGS,
  SERVE_UNITS_NOTE,
} from '../dist/src/cli/specs.js';

const TABLES = {
  serve: { title: '`pacer` / `pacer serve`', specs: SERVE_FLAGS, prefixes: SERVE_ENV_PREFIXES, note: SERVE_UNITS_NOTE },
  'mesos-local': { title: '`pacer mesos-local`', specs: MESOS_LOCAL_FLAGS, prefixes: MESOS_LOCAL_ENV_PREFIXES, note: MESOS_LOCAL_UNITS_NOTE },
};

/** Markdown table cells must not contain a bare `|`, and `<word>` would be read as HTML. */
function cell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text) {
  return `\`${String(text).replace(/\|/g, '\\|')}\``;
}

function table({ specs, prefixes }) {
  const rows = specs.map((spec) => {
    const name = spec.negation !== undefined ? `[${spec.negation}]${spec.name}` : spec.name;
    const flag = spec.kind === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? spec.kind.toUpperCase()}`;
    const fallback = spec.default === undefined ? '' : code(spec.default);
    const env = prefixes.map((p) => code(envVarName(spec.name, p))).join(' ');
    const what = spec.effect === false ? `${spec.description}. *Accepted without effect:* ${spec.why ?? 'not applicable'}` : spec.description;
    return `| ${code(flag)} | ${fallback} | ${env} | ${cell(what)} |`;
  });
  return ['| flag | default | environment | what |', '|---|---|---|---|', ...rows].join('\n');
}

const README = new URL('../README.md', import.meta.url);
const START = '<!-- flags-table:start -->';
const END = '<!-- flags-table:end -->';

function render(names, withTitles) {
  return names.map((name) => `${withTitles ? `#### ${TABLES[name].title}\n\n${TABLES[name].note}\n\n` : ''}${table(TABLES[name])}\n`).join('\n');
}

function readmeWithTables(readme) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${render(Object.keys(TABLES), true)}${readme.slice(end)}`;
}

const args = process.argv.slice(2);
if (args[0] === '--write' || args[0] === '--check') {
  const current = readFileSync(README, 'utf8');
  const wantedReadme = readmeWithTables(current);
  if (args[0] === '--write') {
    writeFileSync(README, wantedReadme);
  } else if (wantedReadme !== current) {
    process.stderr.write('README.md flag tables are out of date: run node scripts/flags-table.mjs --write\n');
    process.exit(1);
  }
} else {
  for (const name of args) {
    if (!(name in TABLES)) {
      process.stderr.write(`unknown table '${name}'; known: ${Object.keys(TABLES).join(', ')}\n`);
      process.exit(2);
    }
  }
  const names = args.length > 0 ? args : Object.keys(TABLES);
  process.stdout.write(render(names, args.length !== 1));
}

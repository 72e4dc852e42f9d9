// Child process of store-crash.test.ts: writes numbered batches into the store at
// <data_dir> as fast as it can, with several batches in flight, and prints each batch's number
// on stdout only after its apply resolved. The test kills it with SIGKILL at a random moment.
//
// Every batch n puts rec/<n>, sets meta/last = n and moves the single scratch/<n> key forward,
// so a store holding an acknowledged prefix of batches has a checkable shape.
// It imports the compiled store (dist/), as production runs it; `npm test` builds first.
import { pino } from 'pino';
import { openSqliteStore } from '../../dist/src/state/sqlite-store.js';

const [dataDir, inFlightArg = '8', padArg = '512'] = process.argv.slice(2);
if (dataDir === undefined) {
  process.stderr.write('usage: crash-writer.mjs <data_dir> [in-flight] [value-padding]\n');
  process.exit(2);
}
const inFlight = Number(inFlightArg);
const padding = 'p'.repeat(Number(padArg));

const recKey = (n) => `rec/${String(n).padStart(9, '0')}`;
const scratchKey = (n) => `scratch/${String(n).padStart(9, '0')}`;

const store = await openSqliteStore({ dataDir, logger: pino({ level: 'silent' }), lockTimeoutMs: 5000 });
const last = await store.get('meta', 'last');
let next = last === undefined ? 0 : last + 1;

async function writer() {
  for (;;) {
    const n = next++;
    const writes = [
      { op: 'put', collection: 'instances', key: recKey(n), value: { n, padding } },
      { op: 'put', collection: 'meta', key: 'last', value: n },
      { op: 'put', collection: 'meta', key: scratchKey(n), value: n },
    ];
    if (n > 0) writes.push({ op: 'delete', collection: 'meta', key: scratchKey(n - 1) });
    await store.apply(writes);
    process.stdout.write(`${n}\n`);
  }
}

await Promise.all(Array.from({ length: inFlight }, () => writer())).catch((err) => {
  process.stderr.write(`crash-writer failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});

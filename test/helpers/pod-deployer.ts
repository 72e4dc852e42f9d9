/**
 * A real Pacer (`pacer serve` with the given flags) that creates one pod through its service as
 * soon as it leads, logs `pod deployment started` with the deployment id, and runs on until
 * killed. For process-level pod tests on a branch that has the orchestrator but not `/v2/pods`.
 *
 *   node dist/test/helpers/pod-deployer.js '<pod JSON>' <pacer serve flags…>
 */
import { parseFlags } from '../../src/cli/flags.js';
import { settingsFromFlags } from '../../src/cli/serve-command.js';
import { SERVE_ENV_PREFIXES, SERVE_FLAGS } from '../../src/cli/specs.js';
import { createLogger } from '../../src/log.js';
import { parsePodOrThrow } from '../../src/model/pods/index.js';
import { startPacer } from '../../src/pacer.js';
import { ServiceError } from '../../src/scheduler/contracts.js';

async function main(argv: string[]): Promise<void> {
  const [podJson, ...serveArgs] = argv;
  if (podJson === undefined) throw new Error('usage: pod-deployer <pod JSON> <pacer serve flags…>');
  const parsed = parseFlags(serveArgs, SERVE_FLAGS, process.env, { envPrefixes: SERVE_ENV_PREFIXES });
  const logger = createLogger('info');
  const settings = await settingsFromFlags(parsed.values);
  const pacer = await startPacer(settings, logger);
  const pod = parsePodOrThrow(JSON.parse(podJson), { mesosRole: settings.mesosRole });
  for (;;) {
    try {
      const plan = await pacer.service.createPod(pod, { force: false });
      logger.info({ deploymentId: plan.id, podId: pod.id }, 'pod deployment started');
      break;
    } catch (err) {
      // 503 until the orchestrator has loaded its state.
      if (!(err instanceof ServiceError) || err.status !== 503) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  logger.info({ reason: await pacer.finished }, 'pacer finished');
  await pacer.close();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});

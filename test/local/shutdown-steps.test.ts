import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runShutdownSteps, SLOW_STEP_MS, type ShutdownStep } from '../../src/local/shutdown-steps.js';

interface LogLine {
  level: number;
  msg: string;
  step?: string;
  boundMs?: number;
  err?: { message: string };
}

function recordingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const never = (): Promise<void> => new Promise<void>(() => undefined);

describe('runShutdownSteps', () => {
  it('runs the steps last first and logs each at debug', async () => {
    const { logger, lines } = recordingLogger();
    const ran: string[] = [];
    const steps: ShutdownStep[] = ['server', 'agents', 'master'].map((step) => ({ step, run: () => void ran.push(step) }));
    await runShutdownSteps(steps, logger);
    expect(ran).toEqual(['master', 'agents', 'server']);
    expect(lines.map((line) => [line.level, line.msg, line.step])).toEqual([
      [20, 'mesos-local shutdown step done', 'master'],
      [20, 'mesos-local shutdown step done', 'agents'],
      [20, 'mesos-local shutdown step done', 'server'],
    ]);
  });

  it('leaves a step that never ends behind at its bound, names it, and still runs the steps after it', async () => {
    const { logger, lines } = recordingLogger();
    const ran: string[] = [];
    const steps: ShutdownStep[] = [
      { step: 'close agents', run: () => void ran.push('close agents') },
      { step: 'stop master', run: never, boundMs: 50 },
    ];
    await runShutdownSteps(steps, logger);
    expect(ran).toEqual(['close agents']);
    expect(lines.find((line) => line.level === 50)).toMatchObject({
      step: 'stop master',
      boundMs: 50,
      msg: 'mesos-local shutdown step did not finish in time; stopping without it',
    });
  });

  it('names a step while it runs past the slow mark, before its bound', async () => {
    const { logger, lines } = recordingLogger();
    await runShutdownSteps([{ step: 'close http server', run: never, boundMs: SLOW_STEP_MS + 200 }], logger);
    expect(lines.map((line) => [line.level, line.msg, line.step])).toEqual([
      [40, 'mesos-local shutdown step is slow', 'close http server'],
      [50, 'mesos-local shutdown step did not finish in time; stopping without it', 'close http server'],
    ]);
  });

  it('logs a failing step with its error and goes on', async () => {
    const { logger, lines } = recordingLogger();
    const ran: string[] = [];
    await runShutdownSteps(
      [
        { step: 'remove work dir', run: () => void ran.push('remove work dir') },
        {
          step: 'stop sandbox gc',
          run: () => {
            throw new Error('sweep broke');
          },
        },
      ],
      logger,
    );
    expect(ran).toEqual(['remove work dir']);
    expect(lines[0]).toMatchObject({ level: 40, step: 'stop sandbox gc', msg: 'mesos-local shutdown step failed', err: { message: 'sweep broke' } });
  });
});

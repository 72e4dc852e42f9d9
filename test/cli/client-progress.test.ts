import { describe, expect, it } from 'vitest';
import { progressFraction, progressReporter, renderBar, renderProgressFrame, renderProgressLine, type ProgressState } from '../../src/cli/client/progress.js';

const ID = '5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43';

function state(overrides: Partial<ProgressState> = {}): ProgressState {
  return {
    deploymentId: ID,
    currentStep: 2,
    totalSteps: 2,
    actions: ['ScaleApplication /sleep'],
    apps: [{ id: '/sleep', running: 1, target: 4 }],
    elapsedMs: 75_000,
    ...overrides,
  };
}

class FakeTty {
  readonly isTTY = true;
  text = '';
  constructor(readonly columns: number) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('progress fraction and bar', () => {
  it('counts finished steps plus the running share of the current scaling step', () => {
    expect(progressFraction(state({ currentStep: 0 }))).toBe(0);
    expect(progressFraction(state({ currentStep: 1, actions: ['StartApplication /sleep'] }))).toBe(0);
    expect(progressFraction(state())).toBe((1 + 1 / 4) / 2);
    expect(progressFraction(state({ apps: [{ id: '/sleep', running: 6, target: 4 }] }))).toBe(1);
    expect(progressFraction(state({ totalSteps: 0, currentStep: 0 }))).toBe(0);
    expect(
      progressFraction(
        state({ actions: ['StopApplication /sleep'], apps: [{ id: '/sleep', running: 0, target: 0, gone: true }], currentStep: 1, totalSteps: 1 }),
      ),
    ).toBe(0);
  });

  it('fills the bar in proportion', () => {
    expect(renderBar(0, 10)).toBe('[░░░░░░░░░░]');
    expect(renderBar(0.5, 10)).toBe('[█████░░░░░]');
    expect(renderBar(1.7, 4)).toBe('[████]');
  });
});

describe('terminal frames', () => {
  it('fits every terminal width, spinner, bar, percent and step first', () => {
    for (const columns of [20, 40, 60, 80, 120, 200]) {
      for (let tick = 0; tick < 3; tick++) {
        const frame = renderProgressFrame(state(), columns, tick);
        expect([...frame].length).toBeLessThanOrEqual(Math.max(20, columns - 1));
      }
    }
    expect(renderProgressFrame(state(), 120, 0)).toBe(
      '⠋ 5ed4c0c5 [███████████████████░░░░░░░░░░░]  62% step 2/2 1m15s ScaleApplication /sleep · /sleep 1/4 running',
    );
    // At 100 columns the bar shrinks so that the counts still fit.
    expect(renderProgressFrame(state(), 100, 0)).toBe('⠋ 5ed4c0c5 [█████████████░░░░░░░░]  62% step 2/2 1m15s ScaleApplication /sleep · /sleep 1/4 running');
    expect(renderProgressFrame(state(), 40, 1)).toBe('⠙ 5ed4c0c5 [██████░░░░]  62% step 2/2 …');
  });

  it('redraws one line in place and ends it with the outcome', () => {
    const tty = new FakeTty(100);
    const reporter = progressReporter(tty);
    reporter.update(state({ currentStep: 1, actions: ['StartApplication /sleep'], apps: [{ id: '/sleep', running: 0, target: 4 }] }));
    reporter.update(state());
    reporter.done(`deployment ${ID} finished (1m15s)`);
    const frames = tty.text.split('\r\x1b[2K');
    expect(frames[0]).toBe('');
    expect(frames).toHaveLength(4);
    expect(frames[1]).toMatch(/^⠋ 5ed4c0c5 \[░+\] {3}0% step 1\/2 /);
    expect(frames[2]).toMatch(/^⠙ 5ed4c0c5 \[█+░+\] {2}62% step 2\/2 /);
    expect(frames[3]).toBe(`deployment ${ID} finished (1m15s)\n`);
    expect(tty.text).not.toMatch(/\n.*\n/);
  });

  it('treats a terminal that reports no width as 80 columns', () => {
    const tty = new FakeTty(0);
    progressReporter(tty).update(state());
    expect([...tty.text.replace('\r\x1b[2K', '')].length).toBeLessThanOrEqual(79);
    expect(tty.text).toContain('step 2/2');
  });
});

describe('plain progress (not a terminal)', () => {
  it('prints a line only when something changed', () => {
    let text = '';
    const reporter = progressReporter({ write: (c: string) => ((text += c), true) });
    reporter.update(state({ currentStep: 0, actions: [], elapsedMs: 0 }));
    reporter.update(state({ currentStep: 0, actions: [], elapsedMs: 500 }));
    reporter.update(state({ apps: [{ id: '/sleep', running: 2, target: 4, healthy: 1 }] }));
    reporter.update(state({ apps: [{ id: '/gone', running: 0, target: 0, gone: true }], actions: ['StopApplication /gone'] }));
    reporter.done('deployment x finished (1s)');
    expect(text).toBe(
      `deployment ${ID} step 0/2 (waiting): /sleep 1/4 running\n` +
        `deployment ${ID} step 2/2 ScaleApplication /sleep: /sleep 2/4 running, 1 healthy\n` +
        `deployment ${ID} step 2/2 StopApplication /gone: /gone removed\n` +
        'deployment x finished (1s)\n',
    );
    expect(renderProgressLine(state({ apps: [], actions: [] }))).toBe(`deployment ${ID} step 2/2`);
  });
});

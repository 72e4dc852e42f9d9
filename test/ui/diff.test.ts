import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines, DiffTooLargeError, withContext, type DiffLine } from '../../src/ui/app/diff.js';

const oldSide = (lines: DiffLine[]): string[] => lines.filter((l) => l.op !== 'added').map((l) => l.text);
const newSide = (lines: DiffLine[]): string[] => lines.filter((l) => l.op !== 'removed').map((l) => l.text);

describe('diffLines', () => {
  it('shows a changed value as a removal followed by an addition', () => {
    const a = '{\n  "id": "/web",\n  "instances": 2,\n  "mem": 32\n}';
    const b = '{\n  "id": "/web",\n  "instances": 3,\n  "mem": 32\n}';
    expect(diffLines(a, b).filter((l) => l.op !== 'same')).toEqual([
      { op: 'removed', text: '  "instances": 2,', oldLine: 3 },
      { op: 'added', text: '  "instances": 3,', newLine: 3 },
    ]);
  });

  it('numbers unchanged lines on both sides', () => {
    const lines = diffLines('a\nb\nc', 'a\nx\nb\nc');
    expect(lines).toEqual([
      { op: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { op: 'added', text: 'x', newLine: 2 },
      { op: 'same', text: 'b', oldLine: 2, newLine: 3 },
      { op: 'same', text: 'c', oldLine: 3, newLine: 4 },
    ]);
  });

  it('reconstructs both texts and keeps a longest common subsequence', () => {
    const line = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (a, b) => {
        const lines = diffLines(a.join('\n'), b.join('\n'));
        expect(oldSide(lines)).toEqual(a.join('\n').split('\n'));
        expect(newSide(lines)).toEqual(b.join('\n').split('\n'));
        const same = lines.filter((l) => l.op === 'same').length;
        expect(same).toBe(lcsLength(a.join('\n').split('\n'), b.join('\n').split('\n')));
      }),
    );
  });

  it('refuses a changed region too large to compare instead of exhausting memory', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    expect(() => diffLines(a, b)).toThrow(DiffTooLargeError);
  });
});

describe('withContext', () => {
  it('keeps changes with their context and folds the rest', () => {
    const a = Array.from({ length: 40 }, (_, i) => `l${i}`);
    const b = [...a];
    b[20] = 'changed';
    const folded = withContext(diffLines(a.join('\n'), b.join('\n')), 2);
    expect(folded.map((l) => (l.op === 'skip' ? `skip ${l.count}` : l.text))).toEqual(['skip 18', 'l18', 'l19', 'l20', 'changed', 'l21', 'l22', 'skip 17']);
  });
});

function lcsLength(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let prevDiag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = a[i - 1] === b[j - 1] ? prevDiag + 1 : Math.max(row[j]!, row[j - 1]!);
      prevDiag = up;
    }
  }
  return row[b.length]!;
}

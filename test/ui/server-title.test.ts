/** The UI header's server line (issue #14 item 6). */
import { describe, expect, it } from 'vitest';
import { serverTitle } from '../../src/ui/app/server-title.js';

describe('serverTitle', () => {
  it("shows Pacer's own name and version and the Marathon API it serves", () => {
    expect(serverTitle({ name: 'marathon', version: '0.1.0', buildref: 'pacer' })).toBe('Pacer 0.1.0 · Marathon API 1.11');
  });

  it('shows a real Marathon as itself', () => {
    expect(serverTitle({ name: 'marathon', version: '1.11.24', buildref: 'abc123' })).toBe('marathon 1.11.24');
  });
});

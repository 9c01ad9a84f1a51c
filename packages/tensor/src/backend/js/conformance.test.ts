import { describe, expect, it } from 'vitest';
import { backendConformanceCases } from '../../testing.js';
import { jsBackend } from './index.js';

describe('plain TypeScript backend passes the conformance suite', () => {
  const cases = backendConformanceCases();
  it('has a case for every kernel family', () => {
    expect(cases.length).toBeGreaterThan(50);
  });
  // Each case compares the kernel with a reference loop and throws on the first mismatch.
  for (const c of cases) it(c.name, () => expect(() => c.run(jsBackend)).not.toThrow());
});

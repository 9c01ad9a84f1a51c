import { describe, expect, it } from 'vitest';
import { backprop, backpropCompiled } from './backprop.js';
import { eagerFloor } from './eager-floor.js';
import { scalar } from './scalar.js';
import type { Measurement } from './types.js';

// W3's subjects must train the network they claim to, or their times mean nothing.
const finalLoss = async (run: (() => Measurement | Promise<Measurement>) | undefined) => {
  const m = await (run as () => Measurement)();
  expect(m.value).toBeGreaterThan(0);
  return m.extra?.finalLoss as number;
};

describe('W3 subjects train XOR', () => {
  it('the minimal eager engine follows the scalar loop from the same weights (float32 against float64)', async () => {
    const loop = await finalLoss(scalar.w3);
    const floor = await finalLoss(eagerFloor.w3);
    expect(loop).toBeLessThan(0.01);
    expect(Math.abs(floor - loop) / loop).toBeLessThan(1e-3);
  });
  it("backprop's eager loop and its compiled step reach the same loss", async () => {
    const eager = await finalLoss(backprop.w3);
    const compiled = await finalLoss(backpropCompiled.w3);
    expect(eager).toBeLessThan(0.01);
    expect(Math.abs(compiled - eager) / eager).toBeLessThan(1e-3);
  });
});

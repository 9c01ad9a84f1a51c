import { customOp, ones, randn, type Tensor } from '@backprop/engine';
import { GradcheckError, gradcheckModule } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';
import { type LayerConfig, Module } from './module.js';
import { layerFromConfig, registerLayer } from './registry.js';
import { Sequential } from './sequential.js';

// The two worked examples of the README: a layer composed of engine ops (backward for free) and
// a layer wrapping a custom op (hand-written backward).

class Scale extends Module {
  readonly gain: Tensor;
  constructor(readonly size: number) {
    super();
    this.gain = this.parameter('gain', ones([size], { dtype: 'float64' }).mul(0.5).detach());
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.gain);
  }
  override get typeName() {
    return 'Scale';
  }
  override getConfig(): LayerConfig {
    return { type: 'Scale', size: this.size };
  }
}

const softsign = customOp({
  name: 'softsign',
  forward: ([x]) => x.div(x.abs().add(1)),
  backward: ([x], dy) => [dy.div(x.abs().add(1).square())],
});

class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
  override getConfig(): LayerConfig {
    return { type: 'Softsign' };
  }
}

const wrongSoftsign = customOp({
  name: 'wrongSoftsign',
  forward: ([x]) => x.div(x.abs().add(1)),
  backward: ([x], dy) => [dy.div(x.abs().add(1))], // forgot the square
});

describe('custom layers', () => {
  const x = randn([3, 4], { dtype: 'float64', seed: 1 });

  it('a Module of engine ops gets correct gradients for its parameters and input', () => {
    const report = gradcheckModule(new Sequential(new Dense(4, 4, { dtype: 'float64' }), new Scale(4)), [x], {
      output: (y) => y.square().sum(),
    });
    expect(report.passed).toBe(true);
    expect(report.inputs.map((r) => r.name)).toEqual(['input 0', '0.weight', '0.bias', '1.gain']);
  });

  it('a Module wrapping a custom op uses the hand-written backward, which gradcheck verifies', () => {
    expect(gradcheckModule(new Softsign(), [x]).passed).toBe(true);
    class Wrong extends Module {
      forward(t: Tensor) {
        return wrongSoftsign(t);
      }
    }
    expect(() => gradcheckModule(new Wrong(), [x])).toThrow(GradcheckError);
  });

  it('registered custom layers load from configs', () => {
    registerLayer('Scale', (config) => new Scale(config.size as number));
    registerLayer('Softsign', () => new Softsign());
    const model = new Sequential(new Dense(4, 4, { dtype: 'float64' }), new Scale(4), new Softsign());
    model.namedParameters()[2][1].value.data[1] = 3;
    const again = layerFromConfig(JSON.parse(JSON.stringify(model.getConfig())));
    again.loadStateDict(model.stateDict());
    expect([...again.forward(x).value.data]).toEqual([...model.forward(x).value.data]);
    expect(() => registerLayer('Dense', () => new Softsign())).toThrow(/built-in layer type/);
  });
});

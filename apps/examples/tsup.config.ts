import { appBuild } from '../../tsup.base.js';

export default appBuild({
  iris: 'src/iris-main.ts',
  'mnist-mlp': 'src/mnist-mlp-main.ts',
  'mnist-cnn': 'src/mnist-cnn-main.ts',
  'mnist-digits': 'src/mnist-digits.ts',
});

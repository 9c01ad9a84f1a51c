/**
 * @backprop/gradcheck — verify gradients numerically: compare the engine's (or your custom op's)
 * backward pass with central finite differences in float64, with a report that names the worst
 * element of each input.
 * @packageDocumentation
 */

export { GradcheckError } from './error.js';
export { type GradcheckOptions, type GradcheckReport, gradcheck, type InputReport, unravel } from './gradcheck.js';
export { gradgradcheck } from './gradgradcheck.js';
export { type CheckableModule, type GradcheckModuleOptions, gradcheckModule } from './module.js';
export { formatReport } from './report.js';

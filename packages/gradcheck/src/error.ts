import { BackpropError } from '@backprop/tensor';
import type { GradcheckReport } from './gradcheck.js';
import { formatReport } from './report.js';

/** A gradient check failed; `report` holds the per-input figures and the message prints them as a table. */
export class GradcheckError extends BackpropError {
  override readonly name = 'GradcheckError';
  /** The full report. */
  readonly report: GradcheckReport;
  constructor(report: GradcheckReport) {
    super(formatReport(report), { where: 'gradcheck' });
    this.report = report;
  }
  static override isInstance(error: unknown): error is GradcheckError {
    return BackpropError.isInstance(error) && error.name === 'GradcheckError';
  }
}

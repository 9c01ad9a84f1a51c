import { describe, it } from 'vitest';
import { backendConformanceCases } from '../../testing.js';
import { jsBackend } from './index.js';

describe('plain TypeScript backend passes the conformance suite', () => {
  for (const c of backendConformanceCases()) it(c.name, () => c.run(jsBackend));
});

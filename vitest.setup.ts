/**
 * Property-based tests run from a fixed seed so that CI is reproducible; set FC_SEED to explore
 * other seeds locally (a failure prints the seed and path to replay it).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED === undefined ? 20261122 : Number(process.env.FC_SEED);
fc.configureGlobal({ seed });

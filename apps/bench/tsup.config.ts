import { appBuild } from '../../tsup.base.js';

export default appBuild({ main: 'src/main.ts', 'run-one': 'src/run-one.ts' });

import { appBuild } from '../../tsup.base.js';

export default appBuild({ main: 'src/main.ts' });

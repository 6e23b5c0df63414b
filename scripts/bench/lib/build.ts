// Builds dist/ as `npm start` runs it, so a benchmark measures compiled code (no tsx), worker
// threads included.
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../../src/paths.js';

export function buildDist(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}

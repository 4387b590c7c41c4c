// `npm test`: install everything, then type-check, lint, check formatting and schema/ and run every test
// against the real embedded database and a private Redis (or MONGODB_URL / REDIS_URL).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap } from './bootstrap.mjs';
import { ROOT, ensureComposeConfig, ensureKubeCheck } from './services.mjs';

const REPORT = join(ROOT, '.data/test-report.json');

const pnpm = bootstrap();
// gateway/test/registry.test.ts loads docker-compose.yml with it.
ensureComposeConfig();
// gateway/test/deploy.test.ts renders and checks deploy/ with it.
ensureKubeCheck();
rmSync(REPORT, { force: true });
const steps = [
  ['type check', ['run', 'typecheck']],
  ['lint', ['run', 'lint']],
  ['format check', ['run', 'format:check']],
  ['schema check', ['run', 'schema:check']],
  ['tests', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...process.argv.slice(2)]],
];
let failed;
for (const [label, args] of steps) {
  console.log(`\n▶ ${label}`);
  try {
    pnpm(args);
  } catch {
    failed = label;
    break;
  }
}

// One plain closing line, so CI can tell how many tests ran whatever the runner prints.
if (existsSync(REPORT)) {
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(`\ntests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
}
if (failed) {
  console.error(`\n✖ ${failed} failed`);
  process.exit(1);
}

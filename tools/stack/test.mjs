// `npm test`: install everything, then type-check, lint, check schema/ and run every test
// against the real embedded database and a private Redis (or MONGODB_URL / REDIS_URL).
import { bootstrap } from './bootstrap.mjs';

const pnpm = bootstrap();
const steps = [
  ['type check', ['run', 'typecheck']],
  ['lint', ['run', 'lint']],
  ['schema check', ['run', 'schema:check']],
  ['tests', ['exec', 'vitest', 'run', ...process.argv.slice(2)]],
];
for (const [label, args] of steps) {
  console.log(`\n▶ ${label}`);
  try {
    pnpm(args);
  } catch {
    console.error(`\n✖ ${label} failed`);
    process.exit(1);
  }
}

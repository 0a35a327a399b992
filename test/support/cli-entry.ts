// Runs the CLI from source (tests spawn this through tsx, so no build is needed).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

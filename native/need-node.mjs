// Every npm script runs this first. The lab's entry points are TypeScript, which Node runs by stripping types; the
// lab supports the major the service images use (NODE_IMAGE in .env). On Node 20 they stop with a stack trace
// (ERR_UNKNOWN_FILE_EXTENSION), some of them half-way through `npm test`. This says what to do in one line.
// Plain JavaScript on purpose, so that any Node runs it.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const env = readFileSync(new URL('../.env', import.meta.url), 'utf8');
const wanted = /^NODE_IMAGE=node:(\d+)\./m.exec(env)?.[1];
if (wanted === undefined) {
  process.stderr.write('.env: NODE_IMAGE must look like node:<version>-<variant>\n');
  process.exit(1);
}
if (process.versions.node.split('.')[0] !== wanted) {
  process.stderr.write(
    `This lab needs Node ${wanted}, not ${process.version}: run \`source native/use-node24.sh\` first (it fetches Node ${wanted} if needed).\n`,
  );
  process.exit(1);
}

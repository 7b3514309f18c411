// Both READMEs must tell the truth: every port and URL they show is one docker-compose.yaml publishes, every
// `npm run` script and compose service they name exists, every repo path they mention is there, and the
// Traditional Chinese README carries the same commands as the English one, and CI runs the README's test command.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCompose, REPO_ROOT } from '../../verify/compose.ts';

const READMES = ['README.md', 'README.zh-TW.md'] as const;
const compose = loadCompose();
const publishedPorts = new Set(
  Object.values(compose.services).flatMap((service) => service.ports.map((port) => port.published)),
);
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function read(file: string): string {
  return readFileSync(join(REPO_ROOT, file), 'utf8');
}

function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => (match[1] ?? '').trim());
}

function matchesOf(text: string, pattern: RegExp, group = 1): string[] {
  return [...text.matchAll(pattern)].map((match) => match[group] ?? '');
}

for (const file of READMES) {
  describe(file, () => {
    const text = read(file);

    it('shows only ports that docker-compose.yaml publishes', () => {
      const shown = matchesOf(text, /(?:localhost|127\.0\.0\.1):(\d+)/g).map(Number);
      assert.ok(shown.length > 0, 'no localhost URL found');
      for (const port of shown) assert.ok(publishedPorts.has(port), `port ${String(port)} is not published`);
    });

    it('shows every published port', () => {
      for (const port of publishedPorts) {
        assert.match(text, new RegExp(`localhost:${String(port)}\\b`), `port ${String(port)} is missing`);
      }
    });

    it('names only npm scripts that exist', () => {
      const scripts = matchesOf(text, /npm run ([\w:-]+)/g);
      assert.ok(scripts.length > 0);
      for (const script of scripts) assert.ok(script in packageJson.scripts, `no npm script "${script}"`);
    });

    it('names only compose services that exist', () => {
      const named = matchesOf(
        text,
        /docker compose (?:start|stop|restart|logs|up -d|run --rm) ([a-z][\w-]*)/g,
      );
      assert.ok(named.length > 0);
      for (const name of named) assert.ok(name in compose.services, `no compose service "${name}"`);
    });

    it('mentions only repo paths that exist', () => {
      const paths = matchesOf(text, /`(\.?[\w-]+(?:\/[\w.-]*)*\/|[\w-]+\/[\w./-]+\.\w+|\.env|\.ci\/run)`/g);
      assert.ok(paths.length > 0);
      for (const path of paths) assert.ok(existsSync(join(REPO_ROOT, path)), `${path} does not exist`);
    });
  });
}

describe('README.md quick start', () => {
  it('needs nothing but Docker: every command in it is `docker compose …`', () => {
    const text = read('README.md');
    const start = text.indexOf('\n## Quick start\n');
    const section = text.slice(start, text.indexOf('\n## ', start + 1));
    const lines = codeBlocks(section).flatMap((block) => block.split('\n'));
    assert.ok(lines.includes('docker compose run --rm verify --wait 3m'), 'the lab doctor as a compose tool');
    assert.ok(
      lines.some((line) => line.startsWith('docker compose run --rm fault ')),
      'faults as a compose tool',
    );
    for (const line of lines) assert.match(line, /^docker compose /);
  });
});

describe('README.zh-TW.md', () => {
  it('has the same commands as README.md', () => {
    assert.deepEqual(codeBlocks(read('README.zh-TW.md')), codeBlocks(read('README.md')));
  });
});

describe('.ci/run', () => {
  it("runs exactly README.md's test command, and nothing else", () => {
    const text = read('README.md');
    const section = text.slice(
      text.indexOf('\n## Tests\n'),
      text.indexOf('\n## ', text.indexOf('\n## Tests\n') + 1),
    );
    const readmeCommand = codeBlocks(section)[0];
    assert.ok(readmeCommand !== undefined, 'README.md: no code block under ## Tests');
    // It must pass whatever `node` comes first on PATH: it puts the images' Node there before npm runs.
    assert.match(readmeCommand, /^source native\/use-node24\.sh && /);
    // Every line of .ci/run but the shebang, comments, shell options and the `cd` to the repository root.
    const commands = read('.ci/run')
      .split('\n')
      .map((line) => line.trim())
      .filter(
        (line) => line !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '),
      );
    // Nothing beside it: no folder next to the clone, no variable set for CI only.
    assert.deepEqual(commands, [readmeCommand]);
  });
});

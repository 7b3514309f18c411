// What a trainer or learner with only Docker meets in README and docs works as written (issue 27): no `npm run
// fault|verify` outside the parts marked for people working on the lab; every fault command shown is one the tool
// accepts; the offline preparation pulls and builds everything the lab and its tools use; a one-off load run goes
// through k6's own variables; the Tempo link answers something.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseCommand } from '../../faults/command.ts';
import { labFromCompose } from '../../faults/main.ts';
import { COMPOSE_FILE, loadCompose, REPO_ROOT } from '../../verify/compose.ts';

const OPEN = '<!-- lab-dev: for people working on the lab -->';
const CLOSE = '<!-- /lab-dev -->';
const READMES = ['README.md', 'README.zh-TW.md'];
const DOCS = [
  ...READMES,
  ...readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** The text a learner reads: everything outside the lab-dev markers (which must pair up). */
function learnerPart(text: string, file: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const open = rest.indexOf(OPEN);
    const close = rest.indexOf(CLOSE);
    if (open < 0) {
      assert.equal(close, -1, `${file}: ${CLOSE} without ${OPEN}`);
      return out + rest;
    }
    assert.ok(close > open, `${file}: ${OPEN} is not closed`);
    out += rest.slice(0, open);
    assert.ok(!rest.slice(open + OPEN.length, close).includes(OPEN), `${file}: nested ${OPEN}`);
    rest = rest.slice(close + CLOSE.length);
  }
}

describe('learner-facing docs, with only Docker', () => {
  test('the marker test itself: marked parts are left out, an unclosed marker fails', () => {
    assert.equal(learnerPart(`a${OPEN}b${CLOSE}c`, 'x'), 'ac');
    assert.throws(() => learnerPart(`a${OPEN}b`, 'x'), /is not closed/);
    assert.throws(() => learnerPart(`a${CLOSE}b`, 'x'), /without/);
  });

  for (const file of DOCS) {
    test(`${file}: no npm run fault or npm run verify outside the lab-dev parts`, () => {
      const learner = learnerPart(read(file), file);
      const found = [...learner.matchAll(/npm run (fault|verify)\b[^\n`]*/g)].map((m) => m[0]);
      assert.deepEqual(found, [], `${file} shows a learner npm commands; use docker compose run --rm <tool>`);
    });
  }

  test('every `docker compose run --rm fault …` shown is a command the fault tool accepts', () => {
    const lab = labFromCompose();
    let checked = 0;
    for (const file of DOCS) {
      for (const m of read(file).matchAll(/docker compose run --rm fault ([^`\n#]*)/g)) {
        const args = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
        if (args.length === 0 || args.includes('…')) continue;
        assert.doesNotThrow(() => parseCommand(args, lab), `${file}: fault ${args.join(' ')}`);
        checked += 1;
      }
    }
    assert.ok(checked >= 10, `only ${String(checked)} fault commands found`);
  });
});

describe("README's offline preparation and one-off load", () => {
  const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
  const services = Object.entries(lab.raw.services);
  const OFFLINE =
    'docker compose --profile tools pull --ignore-buildable && docker compose --profile tools build';

  test('both READMEs give the one offline command', () => {
    for (const file of READMES) assert.ok(read(file).includes(OFFLINE), `${file}: ${OFFLINE}`);
  });

  test('it covers the compose model: every profile enabled, every image pulled or built', () => {
    const enabled = [...OFFLINE.matchAll(/--profile (\S+)/g)].map((m) => m[1]);
    const profiles = new Set(services.flatMap(([, s]) => s.profiles ?? []));
    for (const p of profiles) assert.ok(enabled.includes(p), `profile ${p} is not enabled by the command`);
    for (const [name, s] of services) {
      // `pull --ignore-buildable` pulls every image that is not built; `build` builds the rest.
      assert.ok(s.image !== undefined || s.build !== undefined, `${name}: neither image nor build`);
    }
    assert.ok(
      services.some(([, s]) => s.build !== undefined),
      'the lab builds images, so the command must build',
    );
  });

  test('no Dockerfile the lab builds needs a frontend image from the internet (# syntax=)', () => {
    const dockerfiles = new Set(
      services.flatMap(([, s]) =>
        s.build === undefined
          ? []
          : [path.join(REPO_ROOT, s.build.context, s.build.dockerfile ?? 'Dockerfile')],
      ),
    );
    assert.ok(dockerfiles.size >= 2);
    for (const file of dockerfiles) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /^#\s*syntax\s*=/im, `${file} has a syntax line`);
    }
  });

  test("a one-off load run sets k6's own variables on a one-off container; start k6 replays .env", () => {
    const env = lab.services.k6?.environment ?? {};
    for (const file of READMES) {
      const text = read(file);
      const run = /docker compose run -d --rm ((?:-e \w+=\S+ )+)k6/.exec(text);
      assert.ok(run !== null, `${file}: the one-off k6 command`);
      for (const m of (run[1] ?? '').matchAll(/-e (\w+)=/g))
        assert.ok((m[1] ?? '') in env, `${file}: k6 does not read ${m[1] ?? ''}`);
      assert.doesNotMatch(
        text,
        /K6_VUS=\d+ K6_DURATION=\S+ docker compose up -d k6/,
        `${file}: the old form`,
      );
    }
  });

  test('the services table links a Tempo endpoint that answers something, not its bare root', () => {
    for (const file of READMES) {
      const text = read(file);
      assert.match(text, /<http:\/\/localhost:3200\/status\/buildinfo>/, file);
      assert.doesNotMatch(text, /<http:\/\/localhost:3200>/, file);
    }
  });
});

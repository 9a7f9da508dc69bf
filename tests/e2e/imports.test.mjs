// The web UI's modules import each other without a cycle
// (tools/check-imports.mjs), and the checker finds the cycles it is for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkImports } from '../../tools/check-imports.mjs';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

test('web/ has no import cycle and no import of a missing file', () => {
  const { graph, cycles, unresolved } = checkImports(WEB);
  assert.deepEqual(cycles.map((c) => c.join(' → ')), []);
  assert.deepEqual(unresolved, []);
  assert.ok(graph.size > 10, `found only ${graph.size} modules`);
  // the views share helpers through one module instead of importing each other
  for (const v of ['contributor', 'collect', 'quality', 'work']) assert.ok(graph.get(`js/views/${v}.js`).includes('js/views/shared.js'), v);
});

/** checkImports over a temporary folder holding files ({path: source}). */
function checkTree(files) {
  const root = mkdtempSync(join(tmpdir(), 'fc-imports-'));
  try {
    for (const [name, src] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), src);
    }
    return checkImports(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the checker finds direct, indirect and re-export cycles, and missing files', () => {
  const { cycles, unresolved } = checkTree({
    'app.js': "import { a } from './js/a.js';\n",
    'js/a.js': "import {\n  b,\n  c,\n} from './b.js';\nexport const a = 1;\n",
    'js/b.js': "// import { x } from './a.js'; is a comment\nexport * from '/js/c.js';\nexport const b = 2;\n",
    'js/c.js': "import './a.js';\nconst s = 'image/*';\nexport const c = 3;\n",
    'js/d.js': "import { d } from './d.js';\nimport { z } from './gone.js';\nimport lib from 'some-package';\n",
    'js/e.js': "export function f() {\n  return import('./a.js');\n}\n",
  });
  assert.deepEqual(cycles.map((c) => c.join(' → ')).sort(), ['js/a.js → js/b.js → js/c.js → js/a.js', 'js/d.js → js/d.js']);
  assert.deepEqual(unresolved, [{ from: 'js/d.js', spec: './gone.js' }]);
});

test('an acyclic tree passes', () => {
  const { cycles, unresolved, graph } = checkTree({
    'app.js': "import { a } from './js/a.js';\nimport { b } from './js/b.js';\n",
    'js/a.js': "import { s } from './shared.js';\nexport const a = s;\n",
    'js/b.js': "import { s } from './shared.js';\nimport { a } from './a.js';\nexport const b = s + a;\n",
    'js/shared.js': 'export const s = 1;\n',
  });
  assert.deepEqual(cycles, []);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(graph.get('js/b.js'), ['js/shared.js', 'js/a.js']);
});

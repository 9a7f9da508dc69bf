#!/usr/bin/env node
// Finds import cycles among the web UI's ES modules.
//
// A cycle between modules makes their evaluation order depend on which one
// the browser happens to load first: a `const` or class read at the top of
// one module is then still in its temporal dead zone. So no module may
// import, directly or through others, one that imports it.
//
//   node tools/check-imports.mjs [DIR]   (DIR defaults to web/)
// prints each cycle and exits 1 when there is one, or when a relative import
// names a file that does not exist. tests/e2e/imports.test.mjs runs it.
//
// Only static imports count (`import … from`, `import '…'`, `export … from`),
// each starting a line (so `// import …` and ` * import …` in comments do not):
// a dynamic import() runs after every module has been evaluated.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATIC_IMPORT = /^[ \t]*(?:import|export)\b(?:[^'"`;]*?\bfrom)?\s*(['"])([^'"]+)\1/gm;

function moduleFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...moduleFiles(p));
    else if (/\.m?js$/.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * The import graph of every module under root and its cycles.
 * Returns {graph: Map(file → [file]), cycles: [[file, …, file]], unresolved: [{from, spec}]},
 * files relative to root with '/' separators.
 */
export function checkImports(root) {
  const name = (p) => relative(root, p).split(sep).join('/');
  const graph = new Map();
  const unresolved = [];
  for (const file of moduleFiles(root)) {
    const deps = [];
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[2];
      // bare specifiers (npm packages) are not part of the UI's own graph
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      // '/js/x.js' is a URL on the site, whose root is the web folder
      const target = spec.startsWith('/') ? join(root, spec) : resolve(dirname(file), spec);
      if (!existsSync(target)) unresolved.push({ from: name(file), spec });
      else deps.push(name(target));
    }
    graph.set(name(file), deps);
  }

  // depth-first search; a dependency still on the stack closes a cycle
  const cycles = [];
  const state = new Map(); // file → 'open' | 'done'
  const stack = [];
  const visit = (f) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) || []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return { graph, cycles, unresolved };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), '..', 'web'));
  const { graph, cycles, unresolved } = checkImports(root);
  for (const c of cycles) console.error(`import cycle: ${c.join(' → ')}`);
  for (const u of unresolved) console.error(`${u.from}: '${u.spec}' does not exist`);
  if (cycles.length || unresolved.length) process.exit(1);
  console.log(`${graph.size} modules, no import cycles`);
}

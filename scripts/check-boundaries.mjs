#!/usr/bin/env node
// Package boundaries and import cycles (STYLE 15, DESIGN "Packages"). Reads every .ts file under
// packages/*/src, checks which @tessera packages each may import, and looks for cycles between
// files. Exits 1 with every problem listed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ALLOWED = {
  protocol: [],
  algorithms: ['protocol'],
  hub: ['protocol', 'algorithms'],
  node: ['protocol', 'algorithms'],
  web: ['protocol'],
  cli: ['protocol', 'algorithms', 'hub', 'node'],
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
const graph = new Map();
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  let files;
  try {
    files = walk(src);
  } catch {
    continue;
  }
  try {
    files.push(...walk(join(root, 'packages', pkg, 'test')));
  } catch {
    // no test folder
  }
  const allowed = ALLOWED[pkg];
  if (allowed === undefined)
    problems.push(`packages/${pkg}: not a known package (add it to ALLOWED)`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const edges = [];
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      const rel = relative(root, file);
      const t = /^@tessera\/([^/]+)/.exec(spec);
      if (t) {
        if (t[1] === pkg) problems.push(`${rel}: imports its own package by name (${spec})`);
        else if (allowed && !allowed.includes(t[1]))
          problems.push(`${rel}: ${pkg} may not import ${spec}`);
        if (spec.split('/').length > 2)
          problems.push(`${rel}: deep import ${spec} (use the package index)`);
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        if (!target.startsWith(join(root, 'packages', pkg) + '/'))
          problems.push(`${rel}: relative import leaves its package (${spec})`);
        if (!file.endsWith('.test.ts')) edges.push(target);
      }
    }
    if (!file.endsWith('.test.ts')) graph.set(file, edges);
  }
}

// Cycle detection: iterative DFS with colours.
const WHITE = 0,
  GREY = 1,
  BLACK = 2;
const colour = new Map();
for (const start of graph.keys()) {
  if (colour.get(start)) continue;
  const stack = [[start, 0]];
  const path = [start];
  colour.set(start, GREY);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const edges = graph.get(top[0]) ?? [];
    if (top[1] < edges.length) {
      const next = edges[top[1]++];
      const c = colour.get(next) ?? WHITE;
      if (c === GREY) {
        const cycle = path
          .slice(path.indexOf(next))
          .concat(next)
          .map((f) => relative(root, f));
        problems.push(`import cycle: ${cycle.join(' -> ')}`);
      } else if (c === WHITE && graph.has(next)) {
        colour.set(next, GREY);
        stack.push([next, 0]);
        path.push(next);
      }
    } else {
      colour.set(top[0], BLACK);
      stack.pop();
      path.pop();
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`check-boundaries: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-boundaries: ${graph.size} files, no boundary violations, no import cycles`);

/**
 * Import cycles, which `npm run lint` refuses: between two files, and between two rooms (the
 * folders docs/architecture.md lists: `core/uvm`, `core/access`, `adapters/slack`, `personas`…),
 * where a cycle means neither room can be understood, tested or moved without the other.
 * Type-only imports count too: they tie the rooms' concepts as much as any other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Folders whose subfolders are rooms of their own (`src/core/uvm`, not all of `src/core`). */
export const HOUSES: readonly string[] = ['core', 'adapters'];

/** One cycle found: its members in import order, back to the first. */
export interface ImportCycle {
  readonly kind: 'files' | 'rooms';
  /** Every file or room that reaches every other through imports, sorted. */
  readonly members: readonly string[];
  /** Paths relative to the root checked (rooms as folders), the first repeated last. */
  readonly path: readonly string[];
  /** For a cycle of rooms, one import that makes each step (`from → to`). */
  readonly because: readonly string[];
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every TypeScript file under `root`, with the project files each imports. */
export function importGraph(root: string): Graph {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (/\.(?:m?ts|tsx)$/.test(entry.name) && !/\.d\.m?ts$/.test(entry.name))
        files.push(path);
    }
  };
  walk(resolve(root));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const imports = importedFiles
      .filter(({ fileName }) => fileName.startsWith('.'))
      .map(({ fileName }) => resolve(dirname(file), fileName))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(imports)]);
  }
  return graph;
}

/** The room a file (relative to the root checked) belongs to: see {@link HOUSES}. */
export function roomOf(file: string, houses: readonly string[] = HOUSES): string {
  const parts = file.split(sep);
  const depth = houses.includes(parts[0]!) ? 2 : 1;
  // A file directly in the root or in a house is a room of its own (main.ts, core/errors.ts).
  return parts.length > depth ? parts.slice(0, depth).join('/') : parts.join('/');
}

/** The cycles among the files under `root`, and among its rooms. */
export function importCycles(root: string, houses: readonly string[] = HOUSES): ImportCycle[] {
  const graph = importGraph(root);
  const name = (file: string) => relative(resolve(root), file);
  const cycles: ImportCycle[] = stronglyConnected(graph).map((members) => ({
    kind: 'files',
    members: members.map(name).sort(),
    path: cycleThrough(graph, members).map(name),
    because: [],
  }));
  const rooms = new Map<string, string[]>();
  const example = new Map<string, string>();
  for (const [file, imports] of graph) {
    const from = roomOf(name(file), houses);
    const targets = rooms.get(from) ?? [];
    rooms.set(from, targets);
    for (const target of imports) {
      const to = roomOf(name(target), houses);
      if (to === from) continue;
      if (!targets.includes(to)) targets.push(to);
      if (!example.has(`${from} ${to}`))
        example.set(`${from} ${to}`, `${name(file)} → ${name(target)}`);
    }
  }
  for (const members of stronglyConnected(rooms)) {
    const path = cycleThrough(rooms, members);
    cycles.push({
      kind: 'rooms',
      members: [...members].sort(),
      path,
      because: path.slice(1).map((to, i) => example.get(`${path[i]} ${to}`)!),
    });
  }
  return cycles;
}

/** The cycle as `npm run lint` reports it. */
export function describeCycle(cycle: ImportCycle): string {
  const head = `import cycle between the ${cycle.kind} ${cycle.members.join(', ')}; one: ${cycle.path.join(' → ')}`;
  return cycle.because.length === 0
    ? head
    : `${head}\n${cycle.because.map((b) => `    ${b}`).join('\n')}`;
}

/** The groups of two or more nodes that reach each other (Tarjan's algorithm). */
function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

/** One shortest cycle through the group's first member (breadth first), first repeated last. */
function cycleThrough(graph: Graph, members: readonly string[]): string[] {
  const inGroup = new Set(members);
  const start = [...members].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const node = queue[i]!;
    for (const next of graph.get(node) ?? []) {
      if (!inGroup.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...members, members[0]!];
}

// The inputs a command line names: `-`, files, and directories expanded to the log files under
// them, each read once; and the service a file's name implies.
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, whyUnreadable } from './input-error.js';

/** Service name implied by a file name: `api.jsonl` → `api`, `postgres-2026-02-07.log.gz` → `postgres-2026-02-07`. */
export function serviceFromPath(path: string): string {
  // A pipe has no name worth showing: `<(railway logs --json)` is /dev/fd/63.
  if (path === '-' || /^\/dev\/(?:stdin|fd\/\d+)$|^\/proc\/(?:self|\d+)\/fd\/\d+$/.test(path)) return 'stdin';
  let b = basename(path);
  b = b.replace(/\.gz$/i, '');
  b = b.replace(/\.(jsonl|ndjson|json|log|txt|csv|out)$/i, '');
  return b.length > 0 ? b : 'app';
}

/**
 * The files to read: each path as given, a directory as every regular file under it (recursing;
 * hidden files and directories and markdown docs left out). A file or directory reached twice
 * (named twice, named and inside a named directory, or through a symbolic link back up the tree)
 * is read once.
 */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    const st = await statOrThrow(p);
    if (st.isDirectory()) {
      if (seen.has(await realPath(p))) continue;
      const found = { files: 0 };
      out.push(...(await filesUnder(p, seen, found)));
      if (found.files === 0) throw new InputError(`${p} is a directory with no log files in it`);
    } else if (!st.isFile() || firstVisit(await realPath(p), seen)) out.push(p);
  }
  return out;
}

function isLogName(name: string): boolean {
  return !name.startsWith('.') && !/\.(md|markdown)$/i.test(name);
}

/** The path with links resolved; the path itself when it has no real path (a pipe: `<(railway logs --json)`, /dev/stdin). */
async function realPath(path: string): Promise<string> {
  return fsp.realpath(path).catch(() => path);
}

/** True the first time `real` (a real path) is seen. */
function firstVisit(real: string, seen: Set<string>): boolean {
  if (seen.has(real)) return false;
  seen.add(real);
  return true;
}

async function statOrThrow(path: string): Promise<import('node:fs').Stats> {
  try {
    return await fsp.stat(path);
  } catch (e) {
    const link = (e as NodeJS.ErrnoException).code === 'ENOENT' ? await fsp.readlink(path).catch(() => null) : null;
    throw new InputError(`cannot read ${path}: ${link !== null ? `a symbolic link to ${link}, which does not exist` : whyUnreadable(e)}`);
  }
}

/**
 * The files under `dir` not seen yet, in name order; `found.files` counts every log file met, seen
 * or not. An entry that cannot be read (a dangling link, no permission) is an error naming it.
 */
async function filesUnder(dir: string, seen: Set<string>, found: { files: number }): Promise<string[]> {
  if (!firstVisit(await realPath(dir), seen)) return [];
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).sort();
  } catch (e) {
    throw new InputError(`cannot read ${dir}: ${whyUnreadable(e)}`);
  }
  const files: string[] = [];
  for (const n of names) {
    if (!isLogName(n)) continue;
    const full = join(dir, n);
    const s = await statOrThrow(full);
    if (s.isDirectory()) files.push(...(await filesUnder(full, seen, found)));
    else if (s.isFile()) {
      found.files++;
      if (firstVisit(await realPath(full), seen)) files.push(full);
    }
  }
  return files;
}

// Short import names: wasm-bindgen names each import of the wasm `__wbg_<name>_<16 hex digits>`
// from the module "./rtp_bg.js", and its glue defines a function under that name. The names are
// bytes every visitor fetches twice (in the wasm's import section and as keys of the glue's
// import object), and their hashes do not compress. This renames them to `a`, `b`, … (in the
// order of the import section) and the module to `a`, in the wasm and in each glue given.
//
//   node scripts/short-imports.mjs WASM MAP GLUE...   rewrites WASM in place, writes the names
//                                                     to MAP (JSON), and applies them to each GLUE
//   node scripts/short-imports.mjs --apply MAP GLUE...  applies MAP to each GLUE (the npm glue)
//
// Only names; the code is untouched. A glue that lacks a name it should define fails the build.
import { readFileSync, writeFileSync } from 'node:fs';

const MODULE = './rtp_bg.js';

function readLeb(b, i) {
  let r = 0, shift = 0, x;
  do { x = b[i++]; r |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  return [r >>> 0, i];
}

function leb(n) {
  const out = [];
  do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; out.push(x); } while (n);
  return out;
}

const text = (s) => { const b = Buffer.from(s, 'utf8'); return [...leb(b.length), ...b]; };

function shortName(i) {
  const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do { s = abc[i % abc.length] + s; i = Math.floor(i / abc.length) - 1; } while (i >= 0);
  return s;
}

// The wasm with its import section's names replaced; returns [wasm, {old: new}].
function rename(wasm) {
  const out = [wasm.subarray(0, 8)];
  const names = {};
  let i = 8;
  while (i < wasm.length) {
    const id = wasm[i];
    const [size, start] = readLeb(wasm, i + 1);
    const end = start + size;
    if (id !== 2) {
      out.push(wasm.subarray(i, end));
      i = end;
      continue;
    }
    let [count, j] = readLeb(wasm, start);
    const body = [...leb(count)];
    for (let n = 0; n < count; n++) {
      let len;
      [len, j] = readLeb(wasm, j);
      const module = wasm.subarray(j, j + len).toString('utf8');
      j += len;
      [len, j] = readLeb(wasm, j);
      const field = wasm.subarray(j, j + len).toString('utf8');
      j += len;
      // The import's description (kind and type) is copied as it is: find where it ends.
      const descStart = j, kind = wasm[j++];
      if (kind === 0) [, j] = readLeb(wasm, j); // function: type index
      else if (kind === 1) { j++; const [flags, k] = readLeb(wasm, j); [, j] = readLeb(wasm, k); if (flags & 1) [, j] = readLeb(wasm, j); } // table
      else if (kind === 2) { const [flags, k] = readLeb(wasm, j); [, j] = readLeb(wasm, k); if (flags & 1) [, j] = readLeb(wasm, j); } // memory
      else if (kind === 3) j += 2; // global
      else throw new Error(`short-imports: import kind ${kind} not handled`);
      if (module === MODULE) {
        names[field] ??= shortName(Object.keys(names).length);
        body.push(...text('a'), ...text(names[field]));
      } else {
        body.push(...text(module), ...text(field));
      }
      body.push(...wasm.subarray(descStart, j));
    }
    if (j !== end) throw new Error('short-imports: the import section did not parse to its end');
    out.push(Buffer.from([2, ...leb(body.length), ...body]));
    i = end;
  }
  return [Buffer.concat(out), names];
}

function applyToGlue(file, names) {
  let glue = readFileSync(file, 'utf8');
  const moduleKey = `"${MODULE}": import0`;
  if (!glue.includes(moduleKey)) throw new Error(`short-imports: ${file} has no ${moduleKey}`);
  glue = glue.replace(moduleKey, '"a": import0');
  for (const [old, short] of Object.entries(names)) {
    const key = new RegExp(`^(\\s+)${old}:`, 'm');
    if (!key.test(glue)) throw new Error(`short-imports: ${file} does not define ${old}`);
    glue = glue.replace(key, `$1${short}:`);
  }
  writeFileSync(file, glue);
}

const args = process.argv.slice(2);
if (args[0] === '--apply') {
  const names = JSON.parse(readFileSync(args[1], 'utf8'));
  for (const g of args.slice(2)) applyToGlue(g, names);
} else {
  const [wasmFile, mapFile, ...glues] = args;
  const [wasm, names] = rename(readFileSync(wasmFile));
  writeFileSync(wasmFile, wasm);
  writeFileSync(mapFile, JSON.stringify(names, null, 1) + '\n');
  for (const g of glues) applyToGlue(g, names);
}

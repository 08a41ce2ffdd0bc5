// The browser example: load a module, call an export with a fuel budget, show fuel, peaks and the profile.
// It imports the library's ESM build as it is (`npm ci` builds dist/).
import { I64, Linker, MemFs, Module, OutOfFuel, Store, Trap, Wasi, WasiExit, WASI_MODULE, valTypeName } from '../../dist/index.js';

const PROFILE_ROWS = 25;
const $ = (id) => document.getElementById(id);
const state = { module: null, name: '', store: null, wasi: null, stopped: null };

function setStatus(text, kind = '') {
  $('status').textContent = text;
  $('status').className = `note ${kind}`;
}

async function loadUrl() {
  const url = $('url').value.trim();
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    useModule(url.split('/').pop(), new Uint8Array(await res.arrayBuffer()));
  } catch (e) {
    setStatus(`cannot load ${url}: ${e.message}`, 'error');
  }
}

async function loadFile() {
  const file = $('file').files[0];
  if (file) useModule(file.name, new Uint8Array(await file.arrayBuffer()));
}

/** Decodes and validates a .wasm (or the text format, when the bytes are not binary) and lists its exports. */
function useModule(name, bytes) {
  try {
    const binary = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    state.module = binary ? Module.fromBinary(bytes) : Module.fromWat(bytes);
  } catch (e) {
    state.module = null;
    $('run').disabled = true;
    return setStatus(`${name}: ${e.name}: ${e.message}`, 'error');
  }
  state.name = name;
  const funcs = state.module.exports.filter((e) => e.kind === 'func');
  $('export').replaceChildren(
    ...funcs.map((e) => {
      const sig = `(${e.type.params.map(valTypeName).join(' ')}) → (${e.type.results.map(valTypeName).join(' ')})`;
      return new Option(`${e.name} ${sig}`, e.name);
    }),
  );
  const imports = new Map();
  for (const i of state.module.imports) imports.set(i.module, (imports.get(i.module) ?? 0) + 1);
  $('module-info').textContent =
    `${name}: ${bytes.length} bytes, ${funcs.length} exported function${funcs.length === 1 ? '' : 's'}` +
    [...imports].map(([m, n]) => `, ${n} imports from ${m}`).join('');
  $('run').disabled = funcs.length === 0;
  $('resume').disabled = true;
  setStatus(funcs.length ? 'Ready.' : 'The module exports no function.');
}

function parseArgs(params) {
  const words = $('args').value.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length !== params.length) throw new Error(`the export takes ${params.length} arguments, got ${words.length}`);
  return words.map((w, i) => {
    if (params[i] === I64) return BigInt(w);
    const n = Number(w);
    if (Number.isNaN(n) && w !== 'nan') throw new Error(`not a number: ${w}`);
    return n;
  });
}

function fuelInput() {
  const n = Number($('fuel').value.replaceAll(/[_,\s]/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error('fuel must be a non-negative integer');
  return n;
}

function run() {
  const exp = state.module.exports.find((e) => e.name === $('export').value);
  let call;
  try {
    const args = parseArgs(exp.type.params);
    state.store = new Store({ fuel: fuelInput(), profile: true });
    const linker = new Linker();
    state.wasi = null;
    if (state.module.imports.some((i) => i.module === WASI_MODULE)) {
      state.wasi = new Wasi({ args: [state.name, ...args.map(String)], preopens: { '/': new MemFs() } });
      state.wasi.addToLinker(linker, state.store);
    }
    const instance = linker.instantiate(state.store, state.module);
    call = exp.name === '_start' && state.wasi ? () => state.wasi.start(instance) : () => instance.call(exp.name, ...args);
  } catch (e) {
    return setStatus(`${e.name}: ${e.message}`, 'error');
  }
  go(call);
}

function resume() {
  const e = state.stopped;
  try {
    state.store.addFuel(fuelInput());
  } catch (err) {
    return setStatus(err.message, 'error');
  }
  go(() => (state.wasi ? state.wasi.resume(e) : e.resume()));
}

/** Runs (or resumes) the call and shows what happened and what it cost. */
function go(call) {
  state.stopped = null;
  $('resume').disabled = true;
  try {
    const out = call();
    const shown = Array.isArray(out) ? out.map(String).join(', ') || '(none)' : `exit code ${out.exitCode}`;
    setStatus(`${Array.isArray(out) ? 'results' : 'finished'}: ${shown}`, 'ok');
  } catch (e) {
    if (e instanceof OutOfFuel) {
      state.stopped = e;
      $('resume').disabled = false;
      setStatus(`out of fuel: stopped before an instruction that needs ${e.needed} (${e.remaining} left); add fuel to resume`, 'stop');
    } else if (e instanceof Trap) setStatus(`trap: ${e.message}`, 'error');
    else if (e instanceof WasiExit) setStatus(`exit code ${e.code}`, 'ok');
    else setStatus(`${e.name}: ${e.message}`, 'error');
  }
  show();
}

function show() {
  const { store, wasi } = state;
  const fmt = (n) => n.toLocaleString('en-US');
  $('fuel-consumed').textContent = fmt(store.fuelConsumed);
  $('fuel-remaining').textContent = fmt(store.fuelRemaining);
  $('peak-memory').textContent = fmt(store.peaks.memoryBytes);
  $('peak-stack').textContent = fmt(store.peaks.valueStackBytes);
  $('peak-depth').textContent = fmt(store.peaks.callDepth);
  $('peak-table').textContent = fmt(store.peaks.tableElements);
  const rows = (store.profile() ?? []).filter((p) => p.calls > 0);
  const more = rows.length - PROFILE_ROWS;
  $('profile-note').textContent =
    (state.stopped ? ' (so far: only calls that returned are counted)' : '') + (more > 0 ? ` (the first ${PROFILE_ROWS}, ${more} more)` : '');
  $('profile').tBodies[0].replaceChildren(
    ...rows.slice(0, PROFILE_ROWS).map((p) => {
      const tr = document.createElement('tr');
      for (const v of [p.name, fmt(p.calls), fmt(p.self), fmt(p.total)]) tr.insertCell().textContent = v;
      return tr;
    }),
  );
  const text = wasi ? wasi.stdoutText + wasi.stderrText : '';
  $('stdout').hidden = text === '';
  $('stdout').textContent = text;
}

$('load-url').addEventListener('click', loadUrl);
$('file').addEventListener('change', loadFile);
$('run').addEventListener('click', run);
$('resume').addEventListener('click', resume);
await loadUrl();

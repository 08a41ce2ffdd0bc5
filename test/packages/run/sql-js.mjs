// sql.js (emscripten): a table, inserts in a transaction, an aggregate query.
import { report } from './report.mjs';

const t = performance.now();
const { default: initSqlJs } = await import('sql.js');
const SQL = await initSqlJs();
await report(t, () => {
  const db = new SQL.Database();
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v REAL)');
  db.run('BEGIN');
  const st = db.prepare('INSERT INTO t (name, v) VALUES (?, ?)');
  for (let i = 0; i < 5000; i++) st.run([`row${i % 97}`, (i * 7919) % 1000 / 10]);
  st.free();
  db.run('COMMIT');
  const r = db.exec('SELECT name, count(*), round(sum(v), 2) FROM t GROUP BY name ORDER BY 3 DESC LIMIT 5');
  const out = { rows: r[0].values, version: db.exec('select sqlite_version()')[0].values[0][0] };
  db.close();
  return out;
});

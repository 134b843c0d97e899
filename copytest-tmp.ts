import { readFileSync } from 'node:fs';
import pg from 'pg';
import { copyIn } from './connectors/postgresql/copy-in.ts';
const data = readFileSync('bench/out/orders-1000000-42.tsv');
// split into batches of N lines
function batches(n: number): Buffer[] {
  const out: Buffer[] = []; let start = 0; let lines = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 10 && ++lines === n) { out.push(data.subarray(start, i + 1)); start = i + 1; lines = 0; }
  if (start < data.length) out.push(data.subarray(start));
  return out;
}
const c = new pg.Client({ host: '127.0.0.1', port: 55432, user: 'postgres', database: 'fdibench' });
await c.connect();
const pidRes = await c.query('select pg_backend_pid() as p');
const pid = pidRes.rows[0].p;
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
for (const n of process.argv.slice(2).map(Number)) {
  const bs = n === 0 ? [data] : batches(n);
  await c.query('truncate fdibench.t1'); await c.query('checkpoint');
  const c0 = cpu(); const t0 = performance.now();
  for (const b of bs) await copyIn(c, 'COPY fdibench.t1 FROM STDIN', b);
  console.log(`batch ${n || 'all'} (${bs.length} COPYs): wall ${(performance.now() - t0).toFixed(0)} ms, backend CPU ${cpu() - c0} ms`);
}
await c.end();

// The peer reader of the "reading" benchmark: @vlasky/zongji (Node.js) decodes the same binlog range
// weft reads in the catch-up benchmark. run-bench.sh installs zongji into a temp dir outside the
// repository and runs:
//   node zongji_read.mjs HOST PORT USER PASSWORD FILE START_POS END_POS
// It reads FILE from START_POS, decodes every row event (row images into JS values, the work a CDC
// consumer needs), and stops at the first commit at or past END_POS of FILE. It prints one JSON line:
// {"version", "seconds", "events", "rows", "events_per_s", "rows_per_s"}.
// ZONGJI_DIR is the directory holding node_modules/@vlasky/zongji.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import process from 'node:process';

const dir = process.env.ZONGJI_DIR;
const require = createRequire(dir + '/package.json');
const { default: ZongJi } = await import(require.resolve('@vlasky/zongji'));
const version = JSON.parse(readFileSync(dir + '/node_modules/@vlasky/zongji/package.json', 'utf8')).version;

const [host, port, user, password, file, startPos, endPos] = process.argv.slice(2);
const zongji = new ZongJi({ host, port: Number(port), user, password, dateStrings: true });
let events = 0;
let rows = 0;
let started = 0;
let done = false;

zongji.on('ready', () => { started = process.hrtime.bigint(); });
zongji.on('error', (err) => {
  if (done) return;  // the connection closing after stop()
  console.error('zongji:', err.message);
  process.exit(1);
});
zongji.on('binlog', (evt) => {
  if (done) return;
  events += 1;
  if (evt.rows) rows += evt.rows.length;
  if (zongji.options.filename === file && evt.nextPosition >= Number(endPos)) {
    done = true;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ version, seconds, events, rows,
      events_per_s: events / seconds, rows_per_s: rows / seconds }));
    zongji.stop();
    setTimeout(() => process.exit(0), 100);
  }
});
zongji.start({
  serverId: 5499,
  filename: file,
  position: Number(startPos),
  includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows', 'xid'],
});
setTimeout(() => { console.error('zongji: timed out'); process.exit(1); }, 600000);

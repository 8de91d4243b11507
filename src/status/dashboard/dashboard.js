// weft's dashboard: polls /status and each view's /preview every second and draws what they say.
// Plain DOM and canvas, no libraries. Every value from weft goes in through textContent (never as
// HTML), because previews carry customer data.
'use strict';

(function () {
  const POLL_MS = 1000;
  const TIMEOUT_MS = 2500;
  const WINDOW_MS = 5 * 60 * 1000;  // what the charts show
  const WIDE_LIMIT = 10;
  const GROUP_LIMIT = 500;

  const history = new Map();   // series name -> [{t, v}] (v null: a gap)
  const cards = new Map();     // "source:NAME" / "view:NAME" -> card elements
  const previews = new Map();  // view -> {kind, data, error, sort: {col, desc}}
  let pid = null;
  let downSince = null;
  let lastOk = null;
  let previewRefusal = null;

  // --- small helpers ---
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function clock(ms) {
    const d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  }
  function count(n) { return Number(n || 0).toLocaleString('en-US'); }
  function rate(n) { return Number(n || 0).toFixed(1); }
  function duration(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  }
  async function getJson(url) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const r = await fetch(url, { cache: 'no-store', signal: abort.signal });
      const body = await r.text();
      return { status: r.status, body: body, json: r.ok ? JSON.parse(body) : null };
    } finally {
      clearTimeout(timer);
    }
  }

  // --- charts ---
  function record(name, t, v) {
    let points = history.get(name);
    if (!points) history.set(name, (points = []));
    points.push({ t: t, v: v });
    while (points.length && points[0].t < t - WINDOW_MS) points.shift();
  }
  function gapAll(t) { for (const name of history.keys()) record(name, t, null); }

  function makeChart(title, unit) {
    const box = el('div', 'chart');
    const label = el('div', 'label');
    label.append(el('span', null, title));
    const value = el('b', 'value');
    label.append(value);
    const canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title + ', last 5 minutes');
    box.append(label, canvas);
    return { box: box, value: value, canvas: canvas, unit: unit };
  }

  function drawChart(chart, name, now, format) {
    const points = history.get(name) || [];
    const last = points.length ? points[points.length - 1].v : null;
    chart.value.textContent = last === null ? '–' : format(last);
    chart.value.dataset.value = last === null ? '' : String(last);
    const canvas = chart.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(50, canvas.clientWidth), h = Math.max(30, canvas.clientHeight);
    if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
    if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    let max = 0;
    for (const p of points) if (p.v !== null) max = Math.max(max, p.v);
    const top = max > 0 ? max * 1.15 : 1;
    const x = (t) => ((t - (now - WINDOW_MS)) / WINDOW_MS) * w;
    const y = (v) => h - 2 - (v / top) * (h - 14);
    g.fillStyle = '#667085';
    g.font = '10px system-ui, sans-serif';
    g.fillText('max ' + format(max), 4, 10);
    g.strokeStyle = '#2f6fdf';
    g.fillStyle = 'rgba(47, 111, 223, 0.12)';
    g.lineWidth = 1.5;
    // One path per run of points without a gap; each filled down to the axis.
    let run = [];
    const flush = () => {
      if (run.length === 0) return;
      g.beginPath();
      run.forEach((p, i) => (i ? g.lineTo(x(p.t), y(p.v)) : g.moveTo(x(p.t), y(p.v))));
      g.stroke();
      g.lineTo(x(run[run.length - 1].t), h);
      g.lineTo(x(run[0].t), h);
      g.closePath();
      g.fill();
      run = [];
    };
    for (const p of points) (p.v === null ? flush() : run.push(p));
    flush();
  }

  // --- cards ---
  function figure(dl, title) {
    const box = el('div');
    box.append(el('dt', null, title));
    const dd = el('dd');
    box.append(dd);
    dl.append(box);
    return dd;
  }
  function stateBadge(node, state) {
    node.textContent = state;
    node.className = 'state state-' + state;
  }

  // What every card has: a heading with its name, a 'where' line and a state badge, a list of
  // figures, and the throughput and delay charts. `build(c, dl, charts)` adds the card's own figures
  // and parts to c and returns the nodes to show under the heading, in order.
  function card(type, name, rateLabel, build) {
    const key = type + ':' + name;
    if (cards.has(key)) return cards.get(key);
    const root = el('article', 'card ' + type);
    root.dataset[type] = name;
    const c = {
      root: root, where: el('span', 'where'), state: el('span', 'state'),
      rate: makeChart(rateLabel, '/s'), delay: makeChart('delay', ''),
    };
    const head = el('div', 'card-head');
    head.append(el('h3', 'name', name), c.where, c.state);
    const dl = el('dl', 'figures');
    const charts = el('div', 'charts');
    charts.append(c.rate.box, c.delay.box);
    root.append(head, ...build(c, dl, charts));
    document.getElementById(type + 's').append(root);
    cards.set(key, c);
    return c;
  }

  function sourceCard(name) {
    return card('source', name, 'rows/s', (c, dl, charts) => {
      c.rows = figure(dl, 'rows applied');
      c.offset = figure(dl, 'offset');
      c.lag = figure(dl, 'caught up');
      c.snapshot = el('div', 'snapshot');
      return [dl, charts, c.snapshot];
    });
  }

  function renderSnapshot(box, snap, now) {
    box.replaceChildren();
    if (!snap) return;
    const title = el('h4', null, snap.done ? 'Snapshot done (started ' + clock(snap.started_ms) + ')'
                                           : 'Snapshot in progress (started ' + clock(snap.started_ms) + ')');
    const table = el('table', 'snapshot-tables');
    const head = table.createTHead().insertRow();
    for (const t of ['table', 'rows', 'of ~', 'progress', 'rows/s', 'ETA']) head.append(el('th', null, t));
    const body = table.createTBody();
    for (const t of snap.tables || []) {
      const row = body.insertRow();
      row.dataset.table = t.table;
      let pct = t.rows_estimate > 0 ? (100 * t.rows_done) / t.rows_estimate : 0;
      pct = t.done ? 100 : Math.min(99, pct);  // InnoDB's estimate is approximate
      let eta = '–';
      if (t.done) eta = 'done in ' + duration(t.elapsed_ms);
      else if (t.rows_per_s > 0 && t.rows_estimate > t.rows_done) eta = duration((1000 * (t.rows_estimate - t.rows_done)) / t.rows_per_s);
      row.append(el('td', null, t.table), el('td', 'num', count(t.rows_done)), el('td', 'num', count(t.rows_estimate)));
      const cell = el('td');
      const bar = el('span', 'bar');
      const fill = el('i');
      fill.style.width = pct.toFixed(0) + '%';
      bar.append(fill);
      cell.append(bar, document.createTextNode(' ' + pct.toFixed(0) + '%'));
      row.append(cell, el('td', 'num', rate(t.rows_per_s)), el('td', 'eta', eta));
    }
    const scroll = el('div', 'scroll');
    scroll.append(table);
    box.append(title, scroll);
  }

  function renderSource(s, now) {
    const c = sourceCard(s.name);
    c.where.textContent = s.kind || '';
    stateBadge(c.state, s.state);
    c.rows.textContent = count(s.rows_total);
    c.offset.textContent = s.offset || '–';
    c.lag.textContent = s.caught_up ? 'yes' : 'no' + (s.lag_bytes >= 0 ? ' (' + count(s.lag_bytes) + ' bytes behind)' : '');
    record('source:' + s.name + ':rate', now, s.rows_per_s);
    record('source:' + s.name + ':delay', now, s.delay_ms);
    drawChart(c.rate, 'source:' + s.name + ':rate', now, (v) => rate(v) + '/s');
    drawChart(c.delay, 'source:' + s.name + ':delay', now, duration);
    const snap = JSON.stringify(s.snapshot || null);
    if (c.snapshotShown !== snap) {  // a finished snapshot's table stays put (and scrollable)
      c.snapshotShown = snap;
      renderSnapshot(c.snapshot, s.snapshot, now);
    }
  }

  function viewCard(name) {
    return card('view', name, 'documents/s', (c, dl, charts) => {
      c.docs = figure(dl, 'documents written');
      c.deleted = figure(dl, 'of which deletes');
      c.outbox = figure(dl, 'outbox depth');
      c.dead = figure(dl, 'dead letters');
      c.problem = el('div', 'problem');
      c.letters = el('ul', 'letters');
      c.preview = el('div', 'preview');
      return [dl, c.problem, c.letters, charts, c.preview];
    });
  }

  function renderView(v, now) {
    const c = viewCard(v.name);
    c.where.textContent = v.source + ' → ' + v.sink + (v.collection ? ' / ' + v.collection : '');
    stateBadge(c.state, v.state);
    c.docs.textContent = count(v.documents_total);
    c.deleted.textContent = count(v.documents_deleted_total);
    c.outbox.textContent = count(v.outbox_depth);
    c.dead.textContent = count(v.dead_letters);
    c.dead.classList.toggle('alert', v.dead_letters > 0);
    const problems = [v.error ? 'stopped: ' + v.error : '', v.sink_error ? 'sink: ' + v.sink_error : ''].filter(Boolean);
    c.problem.textContent = problems.join(' · ');
    c.letters.replaceChildren();
    for (const d of v.latest_dead_letters || []) {
      c.letters.append(el('li', null, clock(d.time_ms) + ' ' + d.id + ': ' + d.reason));
    }
    record('view:' + v.name + ':rate', now, v.documents_per_s);
    record('view:' + v.name + ':delay', now, v.delay_ms);
    drawChart(c.rate, 'view:' + v.name + ':rate', now, (x) => rate(x) + '/s');
    drawChart(c.delay, 'view:' + v.name + ':delay', now, duration);
    // Redrawn only when its answer changed: an idle view keeps its scroll position and selection.
    const p = previews.get(v.name);
    const shown = previewRefusal || (p ? p.error || p.text : '');
    if (c.previewShown !== shown) {
      c.previewShown = shown;
      renderPreview(c.preview, v.name);
    }
  }

  // --- previews ---
  function oneLine(doc) {
    const { _id, ...fields } = doc;  // the id is shown beside it already
    const text = JSON.stringify(fields);
    return text.length > 160 ? text.slice(0, 157) + '…' : text;
  }
  function cellText(v) {
    if (v === null || v === undefined) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  function isNumber(v) { return v !== null && v !== '' && typeof v !== 'object' && isFinite(Number(v)); }

  // Group documents as table rows: a top-N partition document gives one row per ranked group.
  function groupRows(items) {
    const rows = [];
    for (const item of items) {
      if (!item.doc) continue;
      const { _id, top, ...fields } = item.doc;
      if (Array.isArray(top)) top.forEach((g, i) => rows.push({ ...fields, rank: i + 1, ...g }));
      else rows.push(fields);
    }
    return rows;
  }

  function renderGroups(box, p) {
    const rows = groupRows(p.data.items);
    const columns = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    box.append(el('h4', null, 'Groups (' + rows.length + (p.data.evicted ? ', the most recently changed' : '') + ')'));
    if (rows.length === 0) return box.append(el('div', 'note', 'No groups yet.'));
    if (p.sort.col && columns.includes(p.sort.col)) {
      const col = p.sort.col, dir = p.sort.desc ? -1 : 1;
      rows.sort((a, b) => {
        const x = a[col], y = b[col];
        if (isNumber(x) && isNumber(y)) return dir * (Number(x) - Number(y));
        return dir * cellText(x).localeCompare(cellText(y));
      });
    }
    const table = el('table', 'groups');
    const head = table.createTHead().insertRow();
    for (const col of columns) {
      const numeric = rows.every((r) => r[col] === undefined || r[col] === null || isNumber(r[col]));
      const th = el('th', 'sortable' + (numeric ? ' num' : ''), col);
      th.dataset.col = col;
      if (p.sort.col === col) {
        th.textContent = col + (p.sort.desc ? ' ▼' : ' ▲');
        th.setAttribute('aria-sort', p.sort.desc ? 'descending' : 'ascending');
      }
      th.addEventListener('click', () => {
        // A first click sorts numbers largest first and text A to Z; a second click reverses.
        p.sort = { col: col, desc: p.sort.col === col ? !p.sort.desc : numeric };
        renderPreview(box, p.view);
      });
      head.append(th);
    }
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const col of columns) tr.append(el('td', isNumber(r[col]) ? 'num' : null, cellText(r[col])));
    }
    const scroll = el('div', 'scroll');
    scroll.append(table);
    box.append(scroll);
  }

  function renderDocs(box, p) {
    box.append(el('h4', null, 'Recently changed documents'));
    if (p.data.items.length === 0) return box.append(el('div', 'note', 'No document changed since weft started.'));
    for (const item of p.data.items) {
      const doc = el('details', 'doc');
      doc.dataset.id = item.id;
      const summary = el('summary');
      summary.append(el('span', 'id', item.id), document.createTextNode(' · ' + clock(item.changed_ms) + ' · '));
      if (item.deleted) summary.append(el('span', 'deleted', 'deleted'));
      else if (item.doc === undefined) summary.append(el('span', 'note', 'too large to preview (' + count(item.too_large_bytes) + ' bytes)'));
      else summary.append(el('span', 'line', oneLine(item.doc)));
      doc.append(summary);
      if (item.doc !== undefined) doc.append(el('pre', null, JSON.stringify(item.doc, null, 2)));
      if (p.open.has(item.id)) doc.open = true;
      doc.addEventListener('toggle', () => (doc.open ? p.open.add(item.id) : p.open.delete(item.id)));
      box.append(doc);
    }
  }

  function renderPreview(box, view) {
    box.replaceChildren();
    if (previewRefusal) return box.append(el('div', 'note', 'Previews are off: ' + previewRefusal));
    const p = previews.get(view);
    if (!p || (!p.data && !p.error)) return box.append(el('div', 'note', 'Loading the preview…'));
    if (p.error) return box.append(el('div', 'note', p.error));
    if (p.data.kind === 'aggregate') renderGroups(box, p);
    else renderDocs(box, p);
  }

  async function pollPreview(view) {
    let p = previews.get(view);
    if (!p) {
      p = { view: view, kind: null, data: null, text: null, error: null, sort: {}, open: new Set() };
      previews.set(view, p);
    }
    const limit = p.kind === 'aggregate' ? GROUP_LIMIT : WIDE_LIMIT;
    const r = await getJson('/preview?view=' + encodeURIComponent(view) + '&limit=' + limit);
    if (r.status === 403) {
      previewRefusal = r.body.trim().replace(/^previews show customer data and are not served here: /, '');
    } else if (r.json) {
      p.text = r.body;
      p.data = r.json;
      p.kind = r.json.kind;
      p.error = null;
    } else {
      p.error = 'Preview unavailable: ' + r.body.trim();
    }
  }

  // --- the loop ---
  function showDown(now) {
    if (downSince === null) {
      downSince = now;
      gapAll(now);
    }
    const banner = document.getElementById('banner');
    banner.replaceChildren(document.createTextNode('weft is not responding since ' + clock(downSince)));
    banner.append(el('small', null, lastOk ? 'Last figures at ' + clock(lastOk) + '. Retrying every second.'
                                           : 'Retrying every second.'));
    banner.hidden = false;
    document.body.classList.add('down');
  }

  function showUp(report) {
    document.getElementById('banner').hidden = true;
    document.body.classList.remove('down');
    downSince = null;
    const w = report.weft;
    document.getElementById('process').textContent =
        'v' + w.version + ' · pid ' + w.pid + ' · up ' + duration(w.uptime_s * 1000) + ' · ' + w.config;
    document.getElementById('updated').textContent = 'updated ' + clock(report.time_ms);
  }

  async function tick() {
    const now = Date.now();
    try {
      const r = await getJson('/status');
      if (!r.json) throw new Error('status ' + r.status);
      const report = r.json;
      if (pid !== null && report.weft.pid !== pid) {  // weft restarted: start the charts afresh
        history.clear();
        previews.clear();
        cards.clear();
        document.getElementById('sources').replaceChildren();
        document.getElementById('views').replaceChildren();
        previewRefusal = null;
      }
      pid = report.weft.pid;
      if (!previewRefusal) await Promise.all(report.views.map((v) => pollPreview(v.name).catch(() => {})));
      if (downSince !== null) gapAll(now);
      lastOk = now;
      showUp(report);
      for (const s of report.sources) renderSource(s, now);
      for (const v of report.views) renderView(v, now);
    } catch (e) {
      showDown(now);
    }
    setTimeout(tick, POLL_MS);
  }

  tick();
})();

// The Suspend Timeline webview. Content is drawn in time units (microseconds) inside one group per lane whose
// horizontal scale follows the view's width and the time range: new events only append elements, and a wider range
// only changes the scale. Clicking a mark asks the extension to travel to that event.
(function () {
  const vscode = acquireVsCodeApi();
  const SVG = 'http://www.w3.org/2000/svg';
  const chart = document.getElementById('chart');
  const status = document.getElementById('status');
  const detail = document.getElementById('detail');
  const legend = document.getElementById('legend');
  let lanes = new Map(); // name -> { group, open: { rect, start, state } | undefined, svg, future, now }
  let marks = []; // { seq, el, lane }
  let range = 1; // microseconds shown
  let now = 0;

  // The key: what the bands' colours mean (one colour per depth of sleep, whatever the lane), then the marks'.
  legend.textContent = '';
  const STATE_KEY = [
    ['state-ON', 'on · D0 · running'],
    ['state-suspending', 'changing'],
    ['state-STANDBY', 'standby · D1/D2'],
    ['state-POWERDOWN', 'powerdown · D3hot · suspended'],
    ['state-OFF', 'off · D3cold'],
  ];
  const MARK_KEY = [['k-psci', 'PSCI'], ['k-vmm', 'VMM exit'], ['k-irq', 'IRQ'], ['k-pmcsr', 'PMCSR'], ['k-notify', 'notify'], ['k-violation', 'violation']];
  for (const [keys, kind] of [[STATE_KEY, 'swatch'], [MARK_KEY, 'tick']]) {
    const group = document.createElement('span');
    group.className = 'key-group';
    for (const [cls, text] of keys) {
      const item = document.createElement('span');
      item.className = 'key';
      const sample = document.createElement('span');
      sample.className = `${kind} ${cls}`;
      item.appendChild(sample);
      item.appendChild(document.createTextNode(text));
      group.appendChild(item);
    }
    legend.appendChild(group);
  }

  function laneOf(name) {
    let lane = lanes.get(name);
    if (lane) return lane;
    const label = document.createElement('div');
    label.className = 'label';
    label.textContent = name;
    const cell = document.createElement('div');
    cell.className = 'lane';
    cell.setAttribute('role', 'listitem');
    cell.setAttribute('aria-label', name);
    const svg = document.createElementNS(SVG, 'svg');
    const group = document.createElementNS(SVG, 'g');
    const future = document.createElementNS(SVG, 'rect');
    future.setAttribute('class', 'future');
    future.setAttribute('y', '0');
    future.setAttribute('height', '22');
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('class', 'now');
    line.setAttribute('y1', '0');
    line.setAttribute('y2', '22');
    group.appendChild(future);
    group.appendChild(line);
    svg.appendChild(group);
    cell.appendChild(svg);
    chart.appendChild(label);
    chart.appendChild(cell);
    lane = { group, open: undefined, svg, future, now: line };
    lanes.set(name, lane);
    return lane;
  }

  function scale() {
    const width = Math.max(100, chart.clientWidth - 160);
    const k = width / Math.max(range, 1);
    for (const lane of lanes.values()) lane.group.setAttribute('transform', `scale(${k},1)`);
  }

  function closeSegment(lane, t) {
    if (lane.open) lane.open.rect.setAttribute('width', String(Math.max(0, t - lane.open.start)));
  }

  function add(ev) {
    const lane = laneOf(ev.lane);
    const t = ev.t / 1000;
    if (ev.state) {
      closeSegment(lane, t);
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('class', `seg state-${ev.state}`);
      rect.setAttribute('x', String(t));
      rect.setAttribute('y', '4');
      rect.setAttribute('height', '14');
      rect.setAttribute('width', '0');
      rect.dataset.seq = String(ev.seq);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${ev.state} from ${formatTime(ev.t)}`;
      rect.appendChild(title);
      lane.group.insertBefore(rect, lane.future);
      lane.open = { rect, start: t, state: ev.state };
      marks.push({ seq: ev.seq, el: rect, lane });
      return;
    }
    const mark = document.createElementNS(SVG, 'line');
    mark.setAttribute('class', `mark k-${ev.kind}`);
    mark.setAttribute('x1', String(t));
    mark.setAttribute('x2', String(t));
    mark.setAttribute('y1', '2');
    mark.setAttribute('y2', '20');
    mark.setAttribute('tabindex', '0');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${formatTime(ev.t)} ${ev.source}: ${ev.text}`;
    mark.appendChild(title);
    const go = () => vscode.postMessage({ type: 'goto', seq: ev.seq });
    mark.addEventListener('click', go);
    mark.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
    mark.addEventListener('mouseenter', () => { detail.textContent = `#${ev.seq} ${formatTime(ev.t)} ${ev.source}: ${ev.text}`; });
    lane.group.insertBefore(mark, lane.future);
    marks.push({ seq: ev.seq, el: mark, lane });
  }

  function setNow(nsNow) {
    now = nsNow / 1000;
    for (const lane of lanes.values()) {
      lane.now.setAttribute('x1', String(now));
      lane.now.setAttribute('x2', String(now));
      lane.future.setAttribute('x', String(now));
      lane.future.setAttribute('width', String(Math.max(0, range - now)));
      if (lane.open) closeSegment(lane, Math.max(now, lane.open.start));
    }
  }

  function truncate(fromSeq) {
    marks = marks.filter((m) => {
      if (m.seq < fromSeq) return true;
      m.el.remove();
      if (m.lane.open && m.lane.open.rect === m.el) m.lane.open = undefined;
      return false;
    });
  }

  function formatTime(ns) {
    return ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : `${(ns / 1e3).toFixed(3)} us`;
  }

  function reset() {
    chart.textContent = '';
    lanes = new Map();
    marks = [];
    range = 1;
    status.textContent = 'Waiting for the session to stop...';
  }

  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type === 'reset') return reset();
    if (m.type !== 'update') return;
    for (const name of m.lanes) {
      const fresh = !lanes.has(name);
      const lane = laneOf(name);
      // A new lane starts with the state it had at time 0, so the first change closes a segment.
      if (fresh && m.initialStates && m.initialStates[name]) add({ seq: -1, t: 0, kind: 'state', lane: name, source: name, text: '', state: m.initialStates[name] });
      void lane;
    }
    if (m.truncatedFrom !== undefined) truncate(m.truncatedFrom);
    for (const ev of m.events) add(ev);
    // Keep at most the configured number of elements: the oldest go first.
    while (marks.length > m.kept) marks.shift().el.remove();
    const last = m.events[m.events.length - 1];
    range = Math.max(range, (last ? last.t : 0) / 1000, m.now / 1000) * 1.02;
    setNow(m.now);
    scale();
    status.textContent = `${formatTime(m.now)} · ${marks.length} marks · click one to travel there`;
  });
  window.addEventListener('resize', scale);
  vscode.postMessage({ type: 'ready' });
})();

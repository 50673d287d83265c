// The Suspend Timeline webview: a lane per host, vCPU and device, drawn on one <canvas>. Each lane keeps its marks
// (PSCI calls, VMM exits, interrupts, ...) and its bands (power and D-states) in arrays sorted by time, so a frame
// binary-searches what is in view and draws at most one mark per pixel column (media/timeline-core.js has that logic,
// and the tests pin it). Clicking a mark asks the extension to travel to that event.
//
// Input, as in Perfetto-like trace viewers:
// - Ctrl/Cmd+wheel (and a trackpad's pinch) zooms around the pointer. A plain vertical wheel also zooms, unless the
//   lanes overflow the view vertically: then it scrolls the lanes, as Perfetto's plain wheel scrolls its tracks (over
//   the time axis it always zooms). Shift+wheel and a horizontal wheel pan; dragging pans (and scrolls the lanes).
// - Keys: W/S or +/- zoom, A/D or Shift+Left/Right pan, F or 0 fit, Home/End go to the start/end. Left/Right move
//   the selection to the previous/next event of the selected lane (every event, also those sharing a pixel at this
//   zoom; a lane is a thread of events, so this is the order that reads as "what happened next here"), Up/Down
//   change lane (to the event nearest in time), Enter travels to the selection, Escape clears it.
(function () {
  'use strict';
  const core = window.SflowTimelineCore;
  const vscode = acquireVsCodeApi();

  const dom = {
    status: document.getElementById('status'),
    fit: document.getElementById('fit'),
    zoomIn: document.getElementById('zoom-in'),
    zoomOut: document.getElementById('zoom-out'),
    keyToggle: document.getElementById('key-toggle'),
    legend: document.getElementById('legend'),
    chart: document.getElementById('chart'),
    canvas: document.getElementById('canvas'),
    spacer: document.getElementById('spacer'),
    tooltip: document.getElementById('tooltip'),
    selection: document.getElementById('selection'),
  };
  const ctx = dom.canvas.getContext('2d');

  // ------------------------------------------------------------------------------------------ layout constants

  const AXIS_HEIGHT = 20;
  const LANE_MIN_HEIGHT = 22;
  const LANE_MAX_HEIGHT = 36;
  /** how far (px) from a mark the pointer may be and still pick it */
  const HIT_PX = 5;
  const RIGHT_PADDING = 6;
  const FONT_SIZE = 11;
  const DRAG_THRESHOLD_PX = 3;
  const KEY_ZOOM = 1.5;
  const KEY_PAN = 0.2;
  const FUTURE_ALPHA = 0.5;
  const BAND_ALPHA = 0.7;

  const KIND_NAMES = {
    psci: 'PSCI call',
    vmm: 'VMM exit',
    irq: 'interrupt',
    pmcsr: 'PMCSR write',
    notify: 's2idle notify',
    violation: 'violation',
    state: 'state change',
  };

  // ------------------------------------------------------------------------------------------ the model

  /**
   * Lanes in display order; each { name, marks, violations, bands } of { times, events } lists sorted by time, then
   * seq. `marks` has every mark, violations included; `violations` has them again, to draw them on top.
   */
  let lanes = [];
  let laneByName = new Map();
  /** the seq of every event kept, in order (for `kept` and the count) */
  let allSeqs = [];
  let lastSeq = -1;
  let now = 0;
  let position = Infinity;
  let stale = false;
  let hasSession = false;
  let droppedOldest = false;
  let extent = { first: Infinity, last: -Infinity };

  // The view: which times are shown. `following` while the user has not zoomed or panned: updates refit it.
  let view = { from: 0, to: 1e6 };
  let following = true;

  /** the selected event (keyboard), or only a lane: { lane, seq?, t? } */
  let selection;
  /** the pointer over the canvas: { cx, cy } in CSS px, or undefined */
  let pointer;
  let hover;
  let drag;

  let drawMs = 0;
  let frameMs = 0;
  let frames = 0;
  let framePending = false;

  function emptyList() {
    return { times: [], events: [] };
  }

  function newLane(name) {
    return { name, marks: emptyList(), violations: emptyList(), bands: emptyList(), hasInitial: false };
  }

  function laneOf(name) {
    let lane = laneByName.get(name);
    if (!lane) {
      lane = newLane(name);
      laneByName.set(name, lane);
      lanes.push(lane);
      labelWidthCache = undefined;
    }
    return lane;
  }

  /** Adds an event to a list sorted by time, then seq (events nearly always come last, so this is a push). */
  function insertSorted(list, ev) {
    const { times, events } = list;
    const n = times.length;
    if (n === 0 || ev.t > times[n - 1] || (ev.t === times[n - 1] && ev.seq > events[n - 1].seq)) {
      times.push(ev.t);
      events.push(ev);
      return;
    }
    let i = core.upperBound(times, ev.t);
    while (i > 0 && times[i - 1] === ev.t && events[i - 1].seq > ev.seq) i--;
    times.splice(i, 0, ev.t);
    events.splice(i, 0, ev);
  }

  function filterList(list, keep) {
    const times = [];
    const events = [];
    for (let i = 0; i < list.events.length; i++) {
      if (keep(list.events[i])) {
        times.push(list.times[i]);
        events.push(list.events[i]);
      }
    }
    return { times, events };
  }

  function addEvent(ev) {
    const lane = laneOf(ev.lane);
    if (typeof ev.state === 'string') insertSorted(lane.bands, ev);
    else {
      insertSorted(lane.marks, ev);
      if (ev.kind === 'violation') insertSorted(lane.violations, ev);
    }
  }

  /** The lanes in the order the extension gives, each with its state at time 0 as its first band. */
  function syncLanes(names, initialStates) {
    for (const name of names || []) {
      const lane = laneOf(name);
      const state = initialStates && initialStates[name];
      if (state !== undefined && !lane.hasInitial) {
        lane.hasInitial = true;
        insertSorted(lane.bands, {
          seq: -1,
          t: 0,
          kind: 'state',
          lane: name,
          source: name,
          text: 'the state at the start',
          state,
        });
      }
    }
    const order = new Map((names || []).map((name, i) => [name, i]));
    lanes.sort((a, b) => (order.has(a.name) ? order.get(a.name) : 1e9) - (order.has(b.name) ? order.get(b.name) : 1e9));
  }

  /** History was rewritten from `seq` on: what the view has from there goes. */
  function truncateFrom(seq) {
    const keep = (ev) => ev.seq < seq;
    for (const lane of lanes) {
      lane.marks = filterList(lane.marks, keep);
      lane.violations = filterList(lane.violations, keep);
      lane.bands = filterList(lane.bands, keep);
    }
    allSeqs = allSeqs.filter((s) => s < seq);
    lastSeq = allSeqs.length ? allSeqs[allSeqs.length - 1] : -1;
    if (selection && selection.seq !== undefined && selection.seq >= seq) selection = { lane: selection.lane };
  }

  /**
   * Keeps the newest `kept` events. A lane's latest dropped band stays: it still says what state the lane was in
   * until its next change.
   */
  function dropOldest(kept) {
    if (!(kept > 0) || allSeqs.length <= kept) return;
    const cutoff = allSeqs[allSeqs.length - kept];
    allSeqs = allSeqs.slice(allSeqs.length - kept);
    droppedOldest = true;
    const keep = (ev) => ev.seq >= cutoff;
    for (const lane of lanes) {
      let lastDroppedBand;
      for (const ev of lane.bands.events) if (ev.seq < cutoff) lastDroppedBand = ev;
      lane.marks = filterList(lane.marks, keep);
      lane.violations = filterList(lane.violations, keep);
      lane.bands = filterList(lane.bands, (ev) => ev.seq >= cutoff || ev === lastDroppedBand);
    }
    if (selection && selection.seq !== undefined && selection.seq < cutoff) selection = { lane: selection.lane };
  }

  /** The earliest and latest times anything is drawn at (lists are sorted, so this is O(lanes)). */
  function computeExtent() {
    let first = Infinity;
    let last = -Infinity;
    for (const lane of lanes) {
      for (const list of [lane.marks, lane.bands]) {
        if (!list.times.length) continue;
        first = Math.min(first, list.times[0]);
        last = Math.max(last, list.times[list.times.length - 1]);
      }
    }
    if (hasSession) {
      first = Math.min(first, now);
      last = Math.max(last, now);
    }
    extent = { first, last };
  }

  /** Where the last band of each lane ends: the latest thing known (the recorded future included). */
  function dataEnd() {
    return Number.isFinite(extent.last) ? extent.last : now;
  }

  function fullView() {
    return core.fullRange(extent.first, extent.last);
  }

  function reset() {
    lanes = [];
    laneByName = new Map();
    allSeqs = [];
    lastSeq = -1;
    now = 0;
    position = Infinity;
    stale = false;
    hasSession = true;
    droppedOldest = false;
    extent = { first: Infinity, last: -Infinity };
    view = { from: 0, to: 1e6 };
    following = true;
    selection = undefined;
    hover = undefined;
    hideTooltip();
    document.body.classList.remove('stale');
    setStatus('Waiting for the session to stop…');
    requestDraw();
  }

  function onUpdate(message) {
    const started = performance.now();
    hasSession = true;
    syncLanes(message.lanes, message.initialStates);
    if (typeof message.truncatedFrom === 'number') truncateFrom(message.truncatedFrom);
    for (const ev of message.events || []) {
      if (ev.seq <= lastSeq) continue; // already here (only events not sent before are expected)
      addEvent(ev);
      allSeqs.push(ev.seq);
      lastSeq = ev.seq;
    }
    dropOldest(message.kept);
    const previousNow = now;
    if (typeof message.now === 'number') now = message.now;
    position = typeof message.position === 'number' ? message.position : Infinity;
    computeExtent();
    const layout = computeLayout();
    if (following) view = fullView();
    else {
      view = core.clampView(view, fullView(), core.minSpanFor(layout.plotWidth));
      // Stepping moved the cursor out of sight: bring it back, keeping the zoom.
      if (now !== previousNow) view = core.revealTime(view, now, fullView(), core.minSpanFor(layout.plotWidth));
    }
    updateStatus();
    draw();
    drawMs = performance.now() - started;
  }

  function onEnded() {
    stale = true;
    document.body.classList.add('stale');
    updateStatus();
    if (hover) showHoverTooltip();
    requestDraw();
  }

  // ------------------------------------------------------------------------------------------ status and key

  function setStatus(text) {
    dom.status.textContent = text;
    dom.status.title = text;
  }

  /** 100000 -> "100,000" (toLocaleString's first call costs tens of ms). */
  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  function updateStatus() {
    const n = allSeqs.length;
    const count = `${thousands(n)} event${n === 1 ? '' : 's'}${droppedOldest ? ' (the newest kept)' : ''}`;
    if (stale) setStatus(`Session ended · ${count} · stopped at ${core.formatTime(now)}`);
    else setStatus(`${core.formatTime(now)} · ${count}`);
  }

  function buildLegend() {
    const group = (items, sampleClass) => {
      const span = document.createElement('span');
      span.className = 'key-group';
      for (const [cls, text] of items) {
        const item = document.createElement('span');
        item.className = 'key';
        const sample = document.createElement('span');
        sample.className = `${sampleClass} ${cls}`;
        item.append(sample, text);
        span.appendChild(item);
      }
      return span;
    };
    const keys = document.createElement('span');
    keys.className = 'key-help';
    keys.textContent =
      'wheel or W/S: zoom · Shift+wheel, drag or A/D: pan · F: fit · ←/→: select · ↑/↓: lane · Enter or click: travel';
    dom.legend.append(
      group(
        [
          ['state-ON', 'on · D0 · running'],
          ['state-suspending', 'changing'],
          ['state-STANDBY', 'standby · D1/D2'],
          ['state-POWERDOWN', 'powerdown · D3hot · suspended'],
          ['state-OFF', 'off · D3cold'],
          ['state-unknown', 'other'],
        ],
        'swatch',
      ),
      group(
        [
          ['k-psci', 'PSCI'],
          ['k-vmm', 'VMM exit'],
          ['k-irq', 'IRQ'],
          ['k-pmcsr', 'PMCSR'],
          ['k-notify', 'notify'],
          ['k-violation', 'violation'],
        ],
        'tick',
      ),
      keys,
    );
  }

  // ------------------------------------------------------------------------------------------ theme

  let theme;
  let themeDirty = true;

  /** The theme's colours for the canvas: the same variables the CSS uses, re-read when VS Code changes theme. */
  function readTheme() {
    const style = getComputedStyle(document.documentElement);
    const variable = (name, fallback) => style.getPropertyValue(`--vscode-${name}`).trim() || fallback;
    const colours = {};
    const fallbacks = {
      'charts-green': '#89d185',
      'charts-yellow': '#cca700',
      'charts-blue': '#3794ff',
      'charts-purple': '#b180d7',
      'charts-orange': '#d18616',
      'charts-red': '#f14c4c',
      'charts-foreground': '#cccccc',
      errorForeground: '#f85149',
      disabledForeground: 'rgba(204, 204, 204, 0.5)',
      descriptionForeground: '#9d9d9d',
      foreground: '#cccccc',
      focusBorder: '#0078d4',
      'charts-lines': 'rgba(204, 204, 204, 0.5)',
      'panel-border': 'rgba(128, 128, 128, 0.35)',
      'editorHoverWidget-background': '#252526',
      'editorHoverWidget-foreground': '#cccccc',
    };
    for (const name of Object.keys(fallbacks)) colours[name] = variable(name, fallbacks[name]);
    const bodyStyle = getComputedStyle(document.body);
    theme = { colours, font: `${FONT_SIZE}px ${bodyStyle.fontFamily || 'sans-serif'}` };
    themeDirty = false;
    labelWidthCache = undefined;
  }

  function colour(name) {
    return theme.colours[name] || theme.colours.foreground;
  }

  // ------------------------------------------------------------------------------------------ geometry

  let labelWidthCache;

  /** The lane labels' column: as wide as the longest name, but never more than a third of the view. */
  function labelColumnWidth(width) {
    if (labelWidthCache === undefined) {
      ctx.font = theme.font;
      labelWidthCache = lanes.reduce((w, lane) => Math.max(w, ctx.measureText(lane.name).width), 0) + 14;
    }
    return Math.round(Math.max(44, Math.min(labelWidthCache, 150, width * 0.28)));
  }

  /** Where everything goes, from the chart's size: CSS px, relative to the canvas. */
  function computeLayout() {
    if (themeDirty) readTheme();
    const width = dom.chart.clientWidth;
    const height = dom.chart.clientHeight;
    const labelWidth = labelColumnWidth(width);
    const plotX = labelWidth;
    const plotWidth = Math.max(10, width - labelWidth - RIGHT_PADDING);
    const fitHeight = Math.floor((height - AXIS_HEIGHT) / Math.max(lanes.length, 1));
    const laneHeight = Math.max(LANE_MIN_HEIGHT, Math.min(LANE_MAX_HEIGHT, fitHeight));
    const contentHeight = AXIS_HEIGHT + lanes.length * laneHeight;
    return { width, height, labelWidth, plotX, plotWidth, laneHeight, contentHeight, scrollY: dom.chart.scrollTop };
  }

  function laneTop(layout, index) {
    return AXIS_HEIGHT + index * layout.laneHeight - layout.scrollY;
  }

  /** Sizes the canvas's backing store to its CSS size times devicePixelRatio (and the scroll spacer to the lanes). */
  function syncCanvas(layout) {
    const dpr = window.devicePixelRatio || 1;
    const spacer = `${Math.max(0, layout.contentHeight - layout.height)}px`;
    if (dom.spacer.style.height !== spacer) dom.spacer.style.height = spacer;
    const cssHeight = `${layout.height}px`;
    if (dom.canvas.style.height !== cssHeight) dom.canvas.style.height = cssHeight;
    const w = Math.max(1, Math.round(layout.width * dpr));
    const h = Math.max(1, Math.round(layout.height * dpr));
    if (dom.canvas.width !== w || dom.canvas.height !== h) {
      dom.canvas.width = w;
      dom.canvas.height = h;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return dpr;
  }

  // ------------------------------------------------------------------------------------------ drawing

  function requestDraw() {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(() => {
      framePending = false;
      draw();
    });
  }

  /**
   * Rectangles to fill, grouped by colour and alpha, so a frame is a few fills however many marks are drawn. A
   * rectangle that touches or overlaps the previous one of its group on the same row extends it instead: a dense run
   * of marks (one per pixel column, each 2 px wide) becomes one rectangle. The arrays are kept between frames.
   */
  function createBatches() {
    const groups = new Map(); // colour name -> alpha -> { rects: number[], length }
    return {
      reset() {
        for (const byAlpha of groups.values()) for (const group of byAlpha.values()) group.length = 0;
      },
      add(colourName, alpha, x, y, w, h) {
        let byAlpha = groups.get(colourName);
        if (!byAlpha) groups.set(colourName, (byAlpha = new Map()));
        let group = byAlpha.get(alpha);
        if (!group) byAlpha.set(alpha, (group = { rects: [], length: 0 }));
        const r = group.rects;
        const n = group.length;
        if (n > 0 && r[n - 3] === y && r[n - 1] === h && x <= r[n - 4] + r[n - 2] + 0.01 && x >= r[n - 4]) {
          r[n - 2] = Math.max(r[n - 2], x + w - r[n - 4]);
          return;
        }
        r[n] = x;
        r[n + 1] = y;
        r[n + 2] = w;
        r[n + 3] = h;
        group.length = n + 4;
      },
      fill() {
        for (const [colourName, byAlpha] of groups) {
          for (const [alpha, group] of byAlpha) {
            if (!group.length) continue;
            ctx.globalAlpha = alpha;
            ctx.fillStyle = colour(colourName);
            // One path and one fill per group: measured faster than a fillRect per rectangle.
            const r = group.rects;
            ctx.beginPath();
            for (let i = 0; i < group.length; i += 4) ctx.rect(r[i], r[i + 1], r[i + 2], r[i + 3]);
            ctx.fill();
          }
        }
        ctx.globalAlpha = 1;
      },
    };
  }

  const bandBatches = createBatches();
  const tickBatches = createBatches();
  const capBatches = createBatches();
  const violationBatches = createBatches();

  function draw() {
    const started = performance.now();
    const layout = computeLayout();
    const dpr = syncCanvas(layout);
    ctx.clearRect(0, 0, layout.width, layout.height);
    if (lanes.length === 0) {
      finishFrame(started);
      return;
    }
    view = core.clampView(view, fullView(), core.minSpanFor(layout.plotWidth));
    const snap = (x) => Math.round(x * dpr) / dpr;
    const ticks = core.axisTicks(view, layout.plotWidth, (text) => measureText(text));
    drawLaneRows(layout, ticks);
    ctx.save();
    ctx.beginPath();
    ctx.rect(layout.plotX, AXIS_HEIGHT, layout.plotWidth + RIGHT_PADDING, layout.height - AXIS_HEIGHT);
    ctx.clip();
    drawLaneContents(layout, snap);
    drawHoverAndSelection(layout, snap);
    ctx.restore();
    drawAxis(layout, ticks, snap);
    drawCursorHead(layout, snap);
    finishFrame(started);
    // What is under the pointer may have changed with the view: the next frame highlights the new hover.
    if (pointer && !drag && updateHover()) requestDraw();
  }

  function finishFrame(started) {
    frameMs = performance.now() - started;
    frames++;
  }

  function measureText(text) {
    ctx.font = theme.font;
    return ctx.measureText(text).width;
  }

  function visibleLaneRange(layout) {
    const first = Math.max(0, Math.floor(layout.scrollY / layout.laneHeight));
    const last = Math.min(
      lanes.length - 1,
      Math.floor((layout.scrollY + layout.height - AXIS_HEIGHT) / layout.laneHeight),
    );
    return { first, last };
  }

  /** Lane labels, separators and the axis's grid lines. */
  function drawLaneRows(layout, ticks) {
    const { first, last } = visibleLaneRange(layout);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_HEIGHT, layout.width, layout.height - AXIS_HEIGHT);
    ctx.clip();
    // Grid lines at the ticks, faint, so times can be read off any lane.
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = colour('charts-lines');
    const bottom = lanesBottom(layout);
    for (const tick of ticks.ticks)
      ctx.fillRect(Math.round(layout.plotX + tick.x), AXIS_HEIGHT, 1, bottom - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
    ctx.font = theme.font;
    ctx.textBaseline = 'middle';
    const selectedLane = selection ? selection.lane : undefined;
    for (let i = first; i <= last; i++) {
      const lane = lanes[i];
      const y = laneTop(layout, i);
      ctx.globalAlpha = 0.5;
      ctx.fillStyle = colour('panel-border');
      ctx.fillRect(0, y + layout.laneHeight - 1, layout.width, 1);
      ctx.globalAlpha = 1;
      const selected = lane.name === selectedLane;
      ctx.fillStyle = colour(selected ? 'foreground' : 'descriptionForeground');
      ctx.font = selected ? `bold ${theme.font}` : theme.font;
      ctx.fillText(core.fitLabel(lane.name, layout.labelWidth - 10, measureText), 6, y + layout.laneHeight / 2);
    }
    ctx.font = theme.font;
    ctx.globalAlpha = 0.5;
    ctx.fillStyle = colour('panel-border');
    ctx.fillRect(layout.labelWidth - 1, AXIS_HEIGHT, 1, bottom - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
    ctx.restore();
  }

  /** Where a lane's band and marks sit inside its row. */
  function laneGeometry(layout, index) {
    const top = laneTop(layout, index);
    const h = layout.laneHeight;
    return {
      top,
      bandY: top + Math.round(h * 0.42),
      bandH: h - Math.round(h * 0.42) - 4,
      markY: top + 3,
      markH: h - 6,
      capH: 5,
    };
  }

  function isFuture(ev) {
    return ev.seq >= position;
  }

  function drawLaneContents(layout, snap) {
    const { first, last } = visibleLaneRange(layout);
    const pxPerNs = core.pxPerNsOf(view, layout.plotWidth);
    const nowX = snap(layout.plotX + core.timeToX(now, view, layout.plotWidth));
    const end = dataEnd();
    const lastColumn = Math.ceil(layout.plotWidth) + 2;
    bandBatches.reset();
    tickBatches.reset();
    capBatches.reset();
    violationBatches.reset();
    for (let i = first; i <= last; i++) {
      const lane = lanes[i];
      const g = laneGeometry(layout, i);
      const bandEvents = lane.bands.events;
      core.forEachBandSegment(
        lane.bands.times,
        end,
        view,
        layout.plotWidth,
        -1,
        layout.plotWidth + 1,
        (index, x0, x1, count) => {
          const name = count > 1 ? 'descriptionForeground' : core.stateColourName(bandEvents[index].state);
          addSplitAtNow(
            bandBatches,
            name,
            snap(layout.plotX + x0),
            snap(layout.plotX + Math.max(x1, x0 + 1)),
            g.bandY,
            g.bandH,
            nowX,
          );
        },
      );
      const addMark = (ev, x, ticks, caps) => {
        const alpha = ev.seq >= position ? FUTURE_ALPHA : 1;
        const name = core.markColourName(ev.kind);
        if (ev.kind === 'violation') {
          // Wider, capped at both ends: a violation must not pass for a VMM exit (both are red in most themes).
          const left = snap(layout.plotX + x - 1.5);
          ticks.add(name, alpha, left, g.markY, 3, g.markH);
          caps.add(name, alpha, left - 2.5, g.markY, 8, g.capH);
          caps.add(name, alpha, left - 2.5, g.markY + g.markH - g.capH, 8, g.capH);
          return;
        }
        const left = snap(layout.plotX + x - 1);
        ticks.add(name, alpha, left, g.markY, 2, g.markH);
        caps.add(name, alpha, left - 2, g.markY, 6, g.capH);
      };
      const markEvents = lane.marks.events;
      core.forEachMarkColumn(lane.marks.times, view.from, pxPerNs, -2, lastColumn, (index, _count, x) =>
        addMark(markEvents[index], x, tickBatches, capBatches),
      );
      // Violations are drawn again, last: one must stay visible even in a column whose first mark is another kind.
      const violationEvents = lane.violations.events;
      core.forEachMarkColumn(lane.violations.times, view.from, pxPerNs, -2, lastColumn, (index, _count, x) =>
        addMark(violationEvents[index], x, violationBatches, violationBatches),
      );
    }
    bandBatches.fill();
    // The future's shade and the cursor go under the marks, so marks at the cursor stay visible.
    drawFuture(layout, snap);
    drawCursorLine(layout, snap);
    tickBatches.fill();
    capBatches.fill();
    violationBatches.fill();
  }

  /** A band's rectangle, the part after the cursor dimmed (it is the recorded future). */
  function addSplitAtNow(batches, name, x0, x1, y, h, nowX) {
    if (x1 <= nowX) batches.add(name, BAND_ALPHA, x0, y, x1 - x0, h);
    else if (x0 >= nowX) batches.add(name, BAND_ALPHA * FUTURE_ALPHA, x0, y, x1 - x0, h);
    else {
      batches.add(name, BAND_ALPHA, x0, y, nowX - x0, h);
      batches.add(name, BAND_ALPHA * FUTURE_ALPHA, nowX, y, x1 - nowX, h);
    }
  }

  /** The bottom of the last lane (the chart may be taller than its lanes). */
  function lanesBottom(layout) {
    return Math.min(layout.height, layout.contentHeight - layout.scrollY);
  }

  /** What lies after the cursor is shaded: it happened in the recorded run, but the debugger is not there. */
  function drawFuture(layout, snap) {
    const nowX = snap(layout.plotX + core.timeToX(now, view, layout.plotWidth));
    const endX = snap(layout.plotX + core.timeToX(dataEnd(), view, layout.plotWidth));
    const right = Math.min(layout.plotX + layout.plotWidth + RIGHT_PADDING, endX);
    if (!hasSession || nowX >= right) return;
    const x = Math.max(layout.plotX, nowX);
    ctx.globalAlpha = 0.08;
    ctx.fillStyle = colour('foreground');
    ctx.fillRect(x, AXIS_HEIGHT, right - x, lanesBottom(layout) - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
  }

  function cursorX(layout, snap) {
    if (!hasSession) return undefined;
    const x = snap(layout.plotX + core.timeToX(now, view, layout.plotWidth));
    return x < layout.plotX - 1 || x > layout.plotX + layout.plotWidth + RIGHT_PADDING ? undefined : x;
  }

  function drawCursorLine(layout, snap) {
    const x = cursorX(layout, snap);
    if (x === undefined) return;
    ctx.fillStyle = colour('focusBorder');
    ctx.fillRect(x - 1, AXIS_HEIGHT, 2, lanesBottom(layout) - AXIS_HEIGHT);
  }

  /** The cursor's head on the axis: a small triangle pointing down at `now`. */
  function drawCursorHead(layout, snap) {
    const x = cursorX(layout, snap);
    if (x === undefined) return;
    ctx.fillStyle = colour('focusBorder');
    ctx.fillRect(x - 1, AXIS_HEIGHT - 6, 2, 6);
    ctx.beginPath();
    ctx.moveTo(x - 5, AXIS_HEIGHT - 7);
    ctx.lineTo(x + 5, AXIS_HEIGHT - 7);
    ctx.lineTo(x, AXIS_HEIGHT - 1);
    ctx.closePath();
    ctx.fill();
  }

  function drawAxis(layout, ticks, snap) {
    ctx.font = theme.font;
    ctx.textBaseline = 'middle';
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = colour('panel-border');
    ctx.fillRect(0, AXIS_HEIGHT - 1, layout.width, 1);
    ctx.globalAlpha = 1;
    // The corner shows the span in view: the scale at a glance.
    ctx.fillStyle = colour('descriptionForeground');
    ctx.fillText(
      core.fitLabel(`Δ ${core.formatDuration(view.to - view.from)}`, layout.labelWidth - 8, measureText),
      6,
      AXIS_HEIGHT / 2,
    );
    const right = layout.plotX + layout.plotWidth + RIGHT_PADDING;
    const pointerBox = pointer && !drag && pointerInPlot(layout) ? pointerTimeBox(layout) : undefined;
    for (const tick of ticks.ticks) {
      const x = snap(layout.plotX + tick.x);
      ctx.fillStyle = colour('charts-lines');
      ctx.fillRect(x, AXIS_HEIGHT - 6, 1, 5);
      const w = measureText(tick.label);
      // A label that would cross the right edge, the labels column or the pointer's time is left out (the tick stays).
      if (x + 3 + w > right || x < layout.plotX) continue;
      if (pointerBox && x + 3 + w > pointerBox.x - 4 && x + 3 < pointerBox.x + pointerBox.w + 4) continue;
      ctx.fillStyle = colour('descriptionForeground');
      ctx.fillText(tick.label, x + 3, AXIS_HEIGHT / 2 - 1);
    }
    if (pointerBox) drawPointerTime(pointerBox);
  }

  function pointerInPlot(layout) {
    return pointer.cx >= layout.plotX && pointer.cx <= layout.plotX + layout.plotWidth;
  }

  /** Where the time under the pointer goes on the axis: the hovered mark's own time, if there is one. */
  function pointerTimeBox(layout) {
    const t =
      hover && hover.type === 'mark' ? hover.ev.t : core.xToTime(pointer.cx - layout.plotX, view, layout.plotWidth);
    const text = core.formatTime(t);
    const w = measureText(text) + 8;
    const x = Math.min(Math.max(layout.plotX, pointer.cx - w / 2), layout.width - w);
    return { x, w, text };
  }

  function drawPointerTime(box) {
    ctx.fillStyle = colour('editorHoverWidget-background');
    ctx.fillRect(box.x, 1, box.w, AXIS_HEIGHT - 3);
    ctx.fillStyle = colour('editorHoverWidget-foreground');
    ctx.fillText(box.text, box.x + 4, AXIS_HEIGHT / 2 - 1);
  }

  function drawHoverAndSelection(layout, snap) {
    if (pointer && !drag && pointerInPlot(layout) && pointer.cy > AXIS_HEIGHT) {
      ctx.globalAlpha = 0.45;
      ctx.fillStyle = colour('descriptionForeground');
      ctx.fillRect(Math.round(pointer.cx), AXIS_HEIGHT, 1, lanesBottom(layout) - AXIS_HEIGHT);
      ctx.globalAlpha = 1;
    }
    if (hover && hover.type === 'mark') {
      const g = laneGeometry(layout, lanes.indexOf(hover.lane));
      ctx.fillStyle = colour(core.markColourName(hover.ev.kind));
      ctx.fillRect(snap(layout.plotX + hover.x - 2), g.markY, 4, g.markH);
    }
    const selected = selectedItem();
    if (selected) {
      const index = lanes.indexOf(selected.lane);
      const g = laneGeometry(layout, index);
      const x = snap(layout.plotX + core.timeToX(selected.ev.t, view, layout.plotWidth));
      ctx.strokeStyle = colour('focusBorder');
      ctx.lineWidth = document.activeElement === dom.canvas ? 2 : 1;
      ctx.strokeRect(x - 5, g.top + 1.5, 10, layout.laneHeight - 3);
    }
  }

  // ------------------------------------------------------------------------------------------ hit-testing

  function locate(clientX, clientY) {
    const rect = dom.canvas.getBoundingClientRect();
    return { cx: clientX - rect.left, cy: clientY - rect.top };
  }

  function laneIndexAt(layout, cy) {
    return core.laneIndexAt(cy, AXIS_HEIGHT, layout.laneHeight, layout.scrollY, lanes.length);
  }

  /**
   * What is under a point: the nearest drawn mark of the lane under it (within HIT_PX), else that lane's band. Only
   * marks drawn at this zoom count, so the mark picked is the one seen there, never one hidden in its pixel.
   */
  function hitAt(cx, cy) {
    const layout = computeLayout();
    const index = laneIndexAt(layout, cy);
    if (index < 0) return undefined;
    const lane = lanes[index];
    if (cx < layout.plotX) return { type: 'label', lane };
    const x = cx - layout.plotX;
    if (x > layout.plotWidth + RIGHT_PADDING) return undefined;
    // Violations are drawn over the other marks, so they win a tie.
    const mark = core.hitTestLane([lane.marks.times, lane.violations.times], view, layout.plotWidth, x, HIT_PX);
    if (mark) return markHit(lane, (mark.list === 0 ? lane.marks : lane.violations).events[mark.index], mark.x, layout);
    const t = core.xToTime(x, view, layout.plotWidth);
    const band = core.bandIndexAt(lane.bands.times, dataEnd(), t);
    if (band < 0) return undefined;
    return {
      type: 'band',
      lane,
      index: band,
      ev: lane.bands.events[band],
      changesHere: changesInPixel(lane, x, layout),
    };
  }

  /** A mark hit, with (the first few of) the other marks in its pixel column, which the tooltip lists. */
  function markHit(lane, ev, x, layout) {
    const pxPerNs = core.pxPerNsOf(view, layout.plotWidth);
    const [lo, hi] = core.columnSpan(lane.marks.times, view.from, pxPerNs, core.columnOf(ev.t, view.from, pxPerNs));
    const others = [];
    for (let i = lo; i < hi && others.length < 5; i++)
      if (lane.marks.events[i] !== ev) others.push(lane.marks.events[i]);
    return { type: 'mark', lane, ev, x, others, othersCount: Math.max(0, hi - lo - 1) };
  }

  function changesInPixel(lane, x, layout) {
    const t0 = core.xToTime(x - 0.5, view, layout.plotWidth);
    const t1 = core.xToTime(x + 0.5, view, layout.plotWidth);
    return core.upperBound(lane.bands.times, t1) - core.lowerBound(lane.bands.times, t0);
  }

  function bandEnd(lane, index) {
    return index + 1 < lane.bands.times.length ? lane.bands.times[index + 1] : dataEnd();
  }

  // ------------------------------------------------------------------------------------------ tooltip

  function line(text, className) {
    const div = document.createElement('div');
    if (className) div.className = className;
    div.textContent = text;
    return div;
  }

  function describeLine(ev) {
    return `#${ev.seq} ${core.formatTime(ev.t)}  ${ev.text}`;
  }

  function tooltipLines(hit) {
    if (hit.type === 'label') {
      const state = hit.lane.bands.events[core.bandIndexAt(hit.lane.bands.times, dataEnd(), now)];
      return [
        line(hit.lane.name, 'tip-title'),
        ...(state ? [line(`${state.state} at the cursor (${core.formatTime(now)})`)] : []),
      ];
    }
    const travel = stale ? line('The session has ended', 'tip-hint') : undefined;
    if (hit.type === 'mark') {
      const { ev } = hit;
      const out = [
        line(`${KIND_NAMES[ev.kind] || ev.kind} · ${hit.lane.name}`, 'tip-title'),
        line(
          `${core.formatTime(ev.t)} · #${ev.seq}${ev.source && ev.source !== hit.lane.name ? ` · from ${ev.source}` : ''}${isFuture(ev) ? ' · after the cursor' : ''}`,
          'tip-meta',
        ),
        line(ev.text, 'tip-text'),
      ];
      const short = window.innerHeight < 260; // a side bar: room for fewer lines
      if (hit.othersCount > 0) {
        // Events at the very same time never come apart by zooming: only the keyboard steps through them.
        const sameTime = hit.othersCount === hit.others.length && hit.others.every((other) => other.t === ev.t);
        const n = hit.othersCount;
        out.push(
          line(
            sameTime
              ? `${n} more at this time (←/→ to pick one)${short ? '' : ':'}`
              : `${n} more in this pixel (zoom in, or ←/→)${short ? '' : ':'}`,
            'tip-meta',
          ),
        );
        const listed = short ? 0 : 4;
        for (const other of hit.others.slice(0, listed)) out.push(line(describeLine(other), 'tip-more'));
        if (n > listed && listed > 0) out.push(line(`… ${n - listed} more`, 'tip-more'));
      }
      if (travel || !short) out.push(travel || line('Click to travel to this event', 'tip-hint'));
      return out;
    }
    const { ev, lane, index } = hit;
    const end = bandEnd(lane, index);
    const out = [
      line(`${ev.state} · ${lane.name}`, 'tip-title'),
      line(`${core.formatTime(ev.t)} → ${core.formatTime(end)} (${core.formatDuration(end - ev.t)})`, 'tip-meta'),
    ];
    if (ev.seq >= 0) out.push(line(`#${ev.seq} ${ev.text}`, 'tip-text'));
    if (hit.changesHere > 1) out.push(line(`${hit.changesHere} state changes in this pixel: zoom in`, 'tip-meta'));
    out.push(travel || line(ev.seq >= 0 ? 'Click to travel to this change' : 'The state at the start', 'tip-hint'));
    return out;
  }

  /** Shows the tooltip near (clientX, clientY), inside the view whatever its size. */
  function showTooltip(hit, clientX, clientY, rebuild = true) {
    if (rebuild || dom.tooltip.hidden) dom.tooltip.replaceChildren(...tooltipLines(hit));
    dom.tooltip.hidden = false;
    const w = dom.tooltip.offsetWidth;
    const h = dom.tooltip.offsetHeight;
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    let left = clientX + 12;
    if (left + w > vw - 4) left = Math.max(4, clientX - 12 - w);
    if (left + w > vw - 4) left = Math.max(4, vw - 4 - w);
    let top = clientY + 16;
    if (top + h > vh - 4) top = clientY - 10 - h;
    if (top < 4) top = Math.max(4, vh - 4 - h);
    dom.tooltip.style.left = `${Math.round(left)}px`;
    dom.tooltip.style.top = `${Math.round(top)}px`;
  }

  function hideTooltip() {
    dom.tooltip.hidden = true;
  }

  function sameHit(a, b) {
    if (!a || !b) return a === b;
    return (
      a.type === b.type &&
      a.lane === b.lane &&
      a.ev === b.ev &&
      a.index === b.index &&
      a.othersCount === b.othersCount &&
      a.changesHere === b.changesHere
    );
  }

  function updateHover() {
    const hit = pointer ? hitAt(pointer.cx, pointer.cy) : undefined;
    const changed = !sameHit(hit, hover);
    hover = hit;
    dom.canvas.style.cursor =
      drag && drag.moved ? 'grabbing' : hit && !stale && isTravelable(hit) ? 'pointer' : 'default';
    if (!hit) hideTooltip();
    else showHoverTooltip(changed);
    return changed;
  }

  function showHoverTooltip(rebuild = true) {
    if (!hover || !pointer) return;
    const rect = dom.canvas.getBoundingClientRect();
    showTooltip(hover, rect.left + pointer.cx, rect.top + pointer.cy, rebuild);
  }

  function isTravelable(hit) {
    return (hit.type === 'mark' || hit.type === 'band') && hit.ev.seq >= 0;
  }

  // ------------------------------------------------------------------------------------------ travelling

  function travel(ev, lane) {
    if (stale || !ev || ev.seq < 0) return;
    vscode.postMessage({ type: 'goto', seq: ev.seq, lane: lane.name });
  }

  function onClick(cx, cy) {
    if (stale) return;
    const hit = hitAt(cx, cy);
    if (!hit || hit.type === 'label') {
      if (hit) select(hit.lane, undefined);
      return;
    }
    select(hit.lane, hit.ev.seq >= 0 ? hit.ev : undefined);
    if (isTravelable(hit)) travel(hit.ev, hit.lane);
  }

  // ------------------------------------------------------------------------------------------ selection (keyboard)

  // A lane's events, in (time, seq) order, are its marks and its state changes (the initial state is no event): two
  // sorted lists, searched together.

  function before(a, b) {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  function indexIn(list, t, seq) {
    const { times, events } = list;
    for (let i = core.lowerBound(times, t); i < times.length && times[i] === t; i++)
      if (events[i].seq === seq) return i;
    return -1;
  }

  /** The lane's next (step 1) or previous (step -1) event after or before the key { t, seq }. */
  function adjacentEvent(lane, key, step) {
    let best;
    for (const { times, events } of [lane.marks, lane.bands]) {
      let i;
      if (step > 0) {
        i = core.lowerBound(times, key.t);
        while (i < times.length && (events[i].seq < 0 || !before(key, events[i]))) i++;
        if (i < times.length && (!best || before(events[i], best))) best = events[i];
      } else {
        i = core.upperBound(times, key.t) - 1;
        while (i >= 0 && (events[i].seq < 0 || !before(events[i], key))) i--;
        if (i >= 0 && (!best || before(best, events[i]))) best = events[i];
      }
    }
    return best;
  }

  /** The lane's event nearest in time to t (ties: the earlier). */
  function nearestEvent(lane, t) {
    const earlier = adjacentEvent(lane, { t, seq: Infinity }, -1);
    const later = adjacentEvent(lane, { t, seq: Infinity }, 1);
    if (!earlier || !later) return earlier || later;
    return t - earlier.t <= later.t - t ? earlier : later;
  }

  function selectedItem() {
    if (!selection || selection.seq === undefined) return undefined;
    const lane = laneByName.get(selection.lane);
    if (!lane) return undefined;
    for (const list of [lane.marks, lane.bands]) {
      const i = indexIn(list, selection.t, selection.seq);
      if (i >= 0) return { lane, ev: list.events[i] };
    }
    return undefined;
  }

  function select(lane, ev) {
    selection = ev ? { lane: lane.name, seq: ev.seq, t: ev.t } : { lane: lane.name };
    dom.selection.textContent = ev
      ? `${lane.name}: ${core.formatTime(ev.t)}, ${ev.text}`
      : `${lane.name}: no event selected`;
    requestDraw();
  }

  function focusLaneIndex() {
    return Math.max(0, lanes.indexOf(keyLane()));
  }

  /** A time to start a selection from: the selection's, else the cursor if it is in view, else the view's middle. */
  function referenceTime() {
    const selected = selectedItem();
    if (selected) return selected.ev.t;
    return now >= view.from && now <= view.to ? now : (view.from + view.to) / 2;
  }

  /** The lane the keys act on: the selection's, else the first lane with an event (the host may have none). */
  function keyLane() {
    if (selection && laneByName.has(selection.lane)) return laneByName.get(selection.lane);
    return lanes.find((lane) => lane.marks.times.length > 0 || lane.bands.events.some((ev) => ev.seq >= 0)) || lanes[0];
  }

  function moveSelection(step) {
    if (!lanes.length) return;
    const lane = keyLane();
    const selected = selectedItem();
    const ev =
      selected && selected.lane === lane
        ? adjacentEvent(lane, selected.ev, step) || selected.ev
        : nearestEvent(lane, referenceTime());
    select(lane, ev);
    revealSelection();
  }

  function changeLane(step) {
    if (!lanes.length) return;
    const t = referenceTime();
    const index = Math.min(Math.max(focusLaneIndex() + (selection ? step : 0), 0), lanes.length - 1);
    const lane = lanes[index];
    select(lane, nearestEvent(lane, t));
    revealSelection();
  }

  /** Pans (keeping the zoom) and scrolls so the selection is in sight, and shows its tooltip next to it. */
  function revealSelection() {
    const layout = computeLayout();
    const index = focusLaneIndex();
    const top = AXIS_HEIGHT + index * layout.laneHeight;
    if (top - AXIS_HEIGHT < dom.chart.scrollTop) dom.chart.scrollTop = top - AXIS_HEIGHT;
    else if (top + layout.laneHeight > dom.chart.scrollTop + layout.height)
      dom.chart.scrollTop = top + layout.laneHeight - layout.height;
    const selected = selectedItem();
    if (!selected) return hideTooltip();
    const next = core.revealTime(view, selected.ev.t, fullView(), core.minSpanFor(layout.plotWidth));
    if (next.from !== view.from) {
      view = next;
      following = false;
    }
    draw();
    const after = computeLayout();
    const rect = dom.canvas.getBoundingClientRect();
    const x = after.plotX + core.timeToX(selected.ev.t, view, after.plotWidth);
    const y = laneTop(after, index) + after.laneHeight / 2;
    const hit =
      typeof selected.ev.state === 'string'
        ? {
            type: 'band',
            lane: selected.lane,
            index: indexIn(selected.lane.bands, selected.ev.t, selected.ev.seq),
            ev: selected.ev,
            changesHere: 1,
          }
        : { type: 'mark', lane: selected.lane, ev: selected.ev, x, others: [], othersCount: 0 };
    showTooltip(hit, rect.left + x, rect.top + y);
  }

  // ------------------------------------------------------------------------------------------ zoom and pan

  function setView(next) {
    view = next;
    following = false;
    requestDraw();
  }

  function zoomBy(factor, anchorTime) {
    const layout = computeLayout();
    setView(core.zoomAround(view, anchorTime, factor, fullView(), core.minSpanFor(layout.plotWidth)));
  }

  function panByFraction(fraction) {
    const layout = computeLayout();
    setView(core.panBy(view, (view.to - view.from) * fraction, fullView(), core.minSpanFor(layout.plotWidth)));
  }

  /** Home/End: the same zoom, at the start or the end of the run. */
  function panTo(end) {
    const layout = computeLayout();
    const full = fullView();
    const span = view.to - view.from;
    const from = end === 'start' ? full.from : full.to - span;
    setView(core.clampView({ from, to: from + span }, full, core.minSpanFor(layout.plotWidth)));
  }

  function fit() {
    view = fullView();
    following = true;
    requestDraw();
  }

  /** Where a zoom from the keyboard or a button is anchored: the pointer, the selection, the cursor, the middle. */
  function zoomAnchor() {
    const layout = computeLayout();
    if (pointer && pointerInPlot(layout)) return core.xToTime(pointer.cx - layout.plotX, view, layout.plotWidth);
    return referenceTime();
  }

  function onWheel(e) {
    const layout = computeLayout();
    const { cx, cy } = locate(e.clientX, e.clientY);
    const scale = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? layout.plotWidth : 1;
    const horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (e.shiftKey || horizontal) {
      e.preventDefault();
      const dx = (horizontal ? e.deltaX : e.deltaY) * scale;
      setView(
        core.panBy(view, dx / core.pxPerNsOf(view, layout.plotWidth), fullView(), core.minSpanFor(layout.plotWidth)),
      );
      return;
    }
    const lanesOverflow = layout.contentHeight > layout.height + 1;
    if (!e.ctrlKey && !e.metaKey && lanesOverflow && cy >= AXIS_HEIGHT) return; // the browser scrolls the lanes
    e.preventDefault();
    const anchor =
      cx >= layout.plotX ? core.xToTime(cx - layout.plotX, view, layout.plotWidth) : (view.from + view.to) / 2;
    setView(
      core.zoomAround(
        view,
        anchor,
        core.wheelZoomFactor(e.deltaY, e.deltaMode),
        fullView(),
        core.minSpanFor(layout.plotWidth),
      ),
    );
  }

  function onPointerDown(e) {
    if (e.button !== 0) return;
    dom.canvas.focus({ preventScroll: true });
    const { cx, cy } = locate(e.clientX, e.clientY);
    drag = { cx, cy, view, scrollTop: dom.chart.scrollTop, moved: false, pointerId: e.pointerId };
    dom.canvas.setPointerCapture(e.pointerId);
  }

  function onPointerMove(e) {
    pointer = locate(e.clientX, e.clientY);
    if (drag) {
      const dx = pointer.cx - drag.cx;
      const dy = pointer.cy - drag.cy;
      if (!drag.moved && Math.hypot(dx, dy) > DRAG_THRESHOLD_PX) {
        drag.moved = true;
        hover = undefined;
        hideTooltip();
        dom.canvas.style.cursor = 'grabbing';
      }
      if (drag.moved) {
        const layout = computeLayout();
        view = core.panBy(
          drag.view,
          -dx / core.pxPerNsOf(drag.view, layout.plotWidth),
          fullView(),
          core.minSpanFor(layout.plotWidth),
        );
        following = false;
        dom.chart.scrollTop = drag.scrollTop - dy;
      }
      requestDraw();
      return;
    }
    requestDraw(); // the hover line, the time on the axis and the tooltip follow the pointer
  }

  function onPointerUp(e) {
    if (!drag) return;
    const wasDrag = drag.moved;
    drag = undefined;
    if (dom.canvas.hasPointerCapture(e.pointerId)) dom.canvas.releasePointerCapture(e.pointerId);
    pointer = locate(e.clientX, e.clientY);
    if (!wasDrag) onClick(pointer.cx, pointer.cy);
    updateHover();
    requestDraw();
  }

  function onPointerLeave() {
    if (drag) return;
    pointer = undefined;
    hover = undefined;
    hideTooltip();
    requestDraw();
  }

  function onKeyDown(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return; // VS Code's own shortcuts
    const key = e.key;
    const handled = () => e.preventDefault();
    if (key === '+' || key === '=' || key === 'w' || key === 'W') {
      handled();
      zoomBy(KEY_ZOOM, zoomAnchor());
      return;
    }
    if (key === '-' || key === '_' || key === 's' || key === 'S') {
      handled();
      zoomBy(1 / KEY_ZOOM, zoomAnchor());
      return;
    }
    if (key === 'a' || key === 'A' || (key === 'ArrowLeft' && e.shiftKey)) {
      handled();
      panByFraction(-KEY_PAN);
      return;
    }
    if (key === 'd' || key === 'D' || (key === 'ArrowRight' && e.shiftKey)) {
      handled();
      panByFraction(KEY_PAN);
      return;
    }
    if (key === '0' || key === 'f' || key === 'F') {
      handled();
      fit();
      return;
    }
    if (key === 'Home') {
      handled();
      panTo('start');
      return;
    }
    if (key === 'End') {
      handled();
      panTo('end');
      return;
    }
    if (key === 'ArrowLeft') {
      handled();
      moveSelection(-1);
      return;
    }
    if (key === 'ArrowRight') {
      handled();
      moveSelection(1);
      return;
    }
    if (key === 'ArrowUp') {
      handled();
      changeLane(-1);
      return;
    }
    if (key === 'ArrowDown') {
      handled();
      changeLane(1);
      return;
    }
    if (key === 'Enter' || key === ' ') {
      handled();
      const selected = selectedItem();
      if (selected) travel(selected.ev, selected.lane);
      return;
    }
    if (key === 'Escape') {
      selection = undefined;
      hideTooltip();
      requestDraw();
    }
  }

  // ------------------------------------------------------------------------------------------ wiring

  function toggleLegend() {
    const show = dom.legend.hidden;
    dom.legend.hidden = !show;
    dom.keyToggle.setAttribute('aria-pressed', String(show));
    requestDraw();
  }

  buildLegend();
  readTheme();
  dom.canvas.addEventListener('wheel', onWheel, { passive: false });
  dom.canvas.addEventListener('pointerdown', onPointerDown);
  dom.canvas.addEventListener('pointermove', onPointerMove);
  dom.canvas.addEventListener('pointerup', onPointerUp);
  dom.canvas.addEventListener('pointercancel', () => {
    drag = undefined;
    requestDraw();
  });
  dom.canvas.addEventListener('pointerleave', onPointerLeave);
  dom.canvas.addEventListener('keydown', onKeyDown);
  dom.canvas.addEventListener('focus', requestDraw);
  dom.canvas.addEventListener('blur', () => {
    hideTooltip();
    requestDraw();
  });
  dom.chart.addEventListener('scroll', () => requestDraw(), { passive: true });
  dom.fit.addEventListener('click', fit);
  dom.zoomIn.addEventListener('click', () => zoomBy(2, zoomAnchor()));
  dom.zoomOut.addEventListener('click', () => zoomBy(0.5, zoomAnchor()));
  dom.keyToggle.addEventListener('click', toggleLegend);
  new ResizeObserver(() => requestDraw()).observe(dom.chart);
  // A new devicePixelRatio (the window moved to another screen) changes no CSS size: watch for it too.
  const watchPixelRatio = () => {
    matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener(
      'change',
      () => {
        requestDraw();
        watchPixelRatio();
      },
      { once: true },
    );
  };
  watchPixelRatio();
  // VS Code changes theme by changing the body's class and the variables on <html>: re-read the colours then.
  const themeObserver = new MutationObserver(() => {
    themeDirty = true;
    requestDraw();
  });
  themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

  window.addEventListener('message', (e) => {
    const message = e.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'reset') reset();
    // An update may come as one JSON string: copying a string into the webview is far cheaper than copying 100,000
    // objects (VS Code serialises messages on the way; the browser clones them again into the page).
    else if (message.type === 'update')
      onUpdate(typeof message.json === 'string' ? { type: 'update', ...JSON.parse(message.json) } : message);
    else if (message.type === 'ended') onEnded();
  });

  // For the end-to-end test and the benchmark: what is drawn, in CSS px relative to the canvas.
  window.sflowTimeline = {
    marks() {
      const layout = computeLayout();
      const out = [];
      const { first, last } = visibleLaneRange(layout);
      const pxPerNs = core.pxPerNsOf(view, layout.plotWidth);
      for (let i = first; i <= last; i++) {
        const lane = lanes[i];
        const y = laneTop(layout, i) + layout.laneHeight / 2;
        if (y < AXIS_HEIGHT || y > layout.height) continue;
        const seen = new Set();
        const add = (ev, x) => {
          if (x < 0 || x > layout.plotWidth || seen.has(ev.seq)) return;
          seen.add(ev.seq);
          out.push({ seq: ev.seq, lane: lane.name, kind: ev.kind, t: ev.t, text: ev.text, x: layout.plotX + x, y });
        };
        core.forEachMarkColumn(
          lane.violations.times,
          view.from,
          pxPerNs,
          0,
          Math.ceil(layout.plotWidth),
          (index, _c, x) => add(lane.violations.events[index], x),
        );
        core.forEachMarkColumn(lane.marks.times, view.from, pxPerNs, 0, Math.ceil(layout.plotWidth), (index, _c, x) =>
          add(lane.marks.events[index], x),
        );
      }
      return out.sort((a, b) => a.t - b.t || a.seq - b.seq);
    },
    bands() {
      const layout = computeLayout();
      const out = [];
      const { first, last } = visibleLaneRange(layout);
      for (let i = first; i <= last; i++) {
        const lane = lanes[i];
        const g = laneGeometry(layout, i);
        core.forEachBandSegment(
          lane.bands.times,
          dataEnd(),
          view,
          layout.plotWidth,
          0,
          layout.plotWidth,
          (index, x0, x1, count) => {
            const ev = lane.bands.events[index];
            out.push({
              seq: ev.seq,
              lane: lane.name,
              state: ev.state,
              from: ev.t,
              to: bandEnd(lane, index),
              merged: count,
              x0: layout.plotX + x0,
              x1: layout.plotX + x1,
              y: g.bandY + g.bandH / 2,
            });
          },
        );
      }
      return out;
    },
    get drawMs() {
      return drawMs;
    },
    get frameMs() {
      return frameMs;
    },
    get frames() {
      return frames;
    },
    /** Shows `next` ({ from, to } in ns), or the whole run when undefined (as Fit does). */
    setView(next) {
      if (!next) fit();
      else setView(core.clampView(next, fullView(), core.minSpanFor(computeLayout().plotWidth)));
      draw();
    },
    state() {
      return {
        stale,
        view: { from: view.from, to: view.to },
        lanes: lanes.length,
        events: allSeqs.length,
        now,
        following,
        selection: selection ? { ...selection } : undefined,
      };
    },
  };

  requestDraw();
  vscode.postMessage({ type: 'ready' });
})();

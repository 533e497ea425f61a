// Ride explorer: speed, acceleration and lean traces on one zoomable axis (time or distance), a cursor shared by the
// traces, the g-g diagram and the map, a read-out of every channel at the cursor, and the track on map tiles.
// Drawn with plotly.js (delivered by the Plotly.Blazor package as a static web asset). The cursor and its read-out are
// plain DOM updated once per animation frame, so moving it never re-renders a plot.

const PLOTLY_SRC = '_content/Plotly.Blazor/plotly-3.7.0.min.js';
const TILE_PROBE_TIMEOUT_MS = 3000;
const WINDOW_FETCH_DELAY_MS = 150;

const CHANNELS = [
    { key: 'speed', names: ['speed'], label: 'Speed', color: '#1f77b4', panel: 0 },
    { key: 'accel_long', names: ['longitudinal_acceleration', 'accel_long', 'ax'], label: 'Longitudinal', color: '#2ca02c', panel: 1 },
    { key: 'accel_lat', names: ['lateral_acceleration', 'accel_lat', 'ay'], label: 'Lateral', color: '#d62728', dash: 'dot', panel: 1 },
    { key: 'lean', names: ['lean', 'roll'], label: 'Lean', color: '#9467bd', panel: 2 },
];
const PANEL_TITLES = ['Speed', 'Acceleration', 'Lean'];
const PANEL_DOMAINS = [[0.68, 1], [0.35, 0.63], [0, 0.3]];
const G = 9.80665;

let plotlyPromise;

function loadPlotly() {
    if (window.Plotly) {
        return Promise.resolve(window.Plotly);
    }

    plotlyPromise ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = new URL(PLOTLY_SRC, document.baseURI).href;
        script.async = true;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => { plotlyPromise = undefined; reject(new Error('plotly.js did not load')); };
        document.head.appendChild(script);
    });
    return plotlyPromise;
}

// ---------- formatting ----------

export function formatClock(seconds, withTenths) {
    if (!Number.isFinite(seconds)) {
        return '—';
    }

    const sign = seconds < 0 ? '−' : '';
    let s = Math.abs(seconds);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    const sec = withTenths ? s.toFixed(1).padStart(4, '0') : String(Math.floor(s)).padStart(2, '0');
    return h > 0
        ? `${sign}${h}:${String(m).padStart(2, '0')}:${sec}`
        : `${sign}${String(m).padStart(2, '0')}:${sec}`;
}

function formatValue(value, decimals) {
    return Number.isFinite(value) ? value.toFixed(decimals).replace('-', '−') : '—';
}

// ---------- data helpers ----------

function findChannel(traces, names) {
    const channels = traces.channels || [];
    for (const name of names) {
        const hit = channels.find(c => c.name.toLowerCase() === name);
        if (hit && hit.t.length === hit.values.length) {
            return hit;
        }
    }

    return null;
}

function lowerBound(sorted, value) {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < value) lo = mid + 1; else hi = mid;
    }

    return lo;
}

function interpolate(xs, ys, x) {
    if (!xs || xs.length === 0) return NaN;
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    const upper = lowerBound(xs, x);
    const lower = upper - 1;
    const span = xs[upper] - xs[lower];
    return span <= 0 ? ys[lower] : ys[lower] + (ys[upper] - ys[lower]) * (x - xs[lower]) / span;
}

/** Distance ridden (m) against time, integrated from the speed trace (trapezoids). */
function distanceTable(speed) {
    if (!speed || speed.t.length < 2) return null;
    const t = speed.t, v = speed.values;
    const d = new Float64Array(t.length);
    for (let i = 1; i < t.length; i++) {
        d[i] = d[i - 1] + (v[i] + v[i - 1]) / 2 / 3.6 * (t[i] - t[i - 1]);
    }

    return { t, d, km: d.map(v => v / 1000) };
}

function toG(channel) {
    if (!channel) return null;
    const unit = (channel.unit || '').toLowerCase();
    if (unit === 'g') return channel;
    return { ...channel, unit: 'g', values: channel.values.map(v => v / G) };
}

function accelUnitOf(traces) {
    const c = findChannel(traces, ['longitudinal_acceleration', 'accel_long', 'ax']) || findChannel(traces, ['lateral_acceleration', 'accel_lat', 'ay']);
    return c ? c.unit : 'g';
}

// ---------- the explorer ----------

class RideExplorer {
    constructor(root, options) {
        this.root = root;
        this.options = options;
        this.mode = 'time';
        this.hidden = new Set();
        this.view = null; // [fromS, toS] or null for the whole ride
        this.cursorS = null;
        this.frame = 0;
        this.windowTimer = 0;
        this.windowRequest = 0;
        this.disposed = false;
    }

    async start() {
        const started = performance.now();
        const [Plotly, overview] = await Promise.all([loadPlotly(), this.fetchTraces()]);
        if (this.disposed) return;
        this.Plotly = Plotly;
        this.overview = overview;
        this.current = overview;
        this.channels = CHANNELS.map(c => ({ ...c, trace: findChannel(overview, c.names) })).filter(c => c.trace);
        this.accelUnit = accelUnitOf(overview);
        this.distance = distanceTable(findChannel(overview, ['speed']));
        this.lat = findChannel(overview, ['lat', 'latitude']);
        this.lon = findChannel(overview, ['lon', 'longitude']);
        this.duration = Math.max(0, ...overview.channels.map(c => c.t.length ? c.t[c.t.length - 1] : 0));
        if (this.channels.length === 0) {
            this.root.dataset.state = 'empty';
            return;
        }

        this.buildDom();
        await this.drawTraces();
        await this.drawGg();
        await this.drawMap();
        this.root.querySelectorAll('.rx-fallback').forEach(f => f.style.display = 'none');
        this.updateRange();
        this.root.dataset.firstPaintMs = String(Math.round(performance.now() - started));
        this.root.dataset.state = 'ready';
    }

    async fetchTraces(fromS, toS, points) {
        const query = fromS === undefined ? '' : `?from=${fromS.toFixed(3)}&to=${toS.toFixed(3)}&points=${points}`;
        const response = await fetch(`api/rides/${this.options.rideId}/traces${query}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (!response.ok) {
            throw new Error(`The traces could not be read (${response.status}).`);
        }

        return response.json();
    }

    // ----- DOM -----

    buildDom() {
        const bar = this.root.querySelector('.rx-toolbar');
        bar.innerHTML = '';
        const axis = document.createElement('div');
        axis.className = 'rx-group';
        axis.setAttribute('role', 'group');
        axis.setAttribute('aria-label', 'Horizontal axis');
        for (const [mode, text] of [['time', 'Time'], ['distance', 'Distance']]) {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'rx-button';
            button.textContent = text;
            button.dataset.mode = mode;
            button.dataset.testid = `axis-${mode}`;
            button.setAttribute('data-testid', `axis-${mode}`);
            button.disabled = mode === 'distance' && !this.distance;
            button.setAttribute('aria-pressed', String(mode === this.mode));
            button.addEventListener('click', () => this.setMode(mode));
            axis.appendChild(button);
        }

        const tools = document.createElement('div');
        tools.className = 'rx-group';
        for (const [drag, text] of [['zoom', 'Zoom'], ['pan', 'Pan']]) {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'rx-button';
            button.textContent = text;
            button.setAttribute('data-testid', `drag-${drag}`);
            button.setAttribute('aria-pressed', String(drag === 'zoom'));
            button.addEventListener('click', () => {
                this.Plotly.relayout(this.tracesPlot, { dragmode: drag });
                tools.querySelectorAll('[data-testid^=drag-]').forEach(b => b.setAttribute('aria-pressed', String(b === button)));
            });
            tools.appendChild(button);
        }

        const reset = document.createElement('button');
        reset.type = 'button';
        reset.className = 'rx-button';
        reset.textContent = 'Whole ride';
        reset.setAttribute('data-testid', 'zoom-reset');
        reset.addEventListener('click', () => this.showWindow(null));
        tools.appendChild(reset);

        const legend = document.createElement('div');
        legend.className = 'rx-group rx-legend';
        legend.setAttribute('role', 'group');
        legend.setAttribute('aria-label', 'Channels shown');
        for (const channel of this.channels) {
            const label = document.createElement('label');
            label.className = 'rx-channel';
            const box = document.createElement('input');
            box.type = 'checkbox';
            box.checked = true;
            box.setAttribute('data-testid', `channel-${channel.key}`);
            box.addEventListener('change', () => this.setChannelShown(channel, box.checked));
            const swatch = document.createElement('span');
            swatch.className = 'rx-swatch';
            swatch.style.borderTop = `3px ${channel.dash ? 'dotted' : 'solid'} ${channel.color}`;
            label.append(box, swatch, document.createTextNode(`${channel.label} (${this.unitOf(channel)})`));
            legend.appendChild(label);
        }

        const range = document.createElement('span');
        range.className = 'rx-range';
        range.setAttribute('data-testid', 'explorer-range');
        bar.append(axis, tools, legend, range);
        this.rangeText = range;

        this.readout = this.root.querySelector('.rx-readout');
        this.tracesHost = this.root.querySelector('.rx-traces');
        this.tracesHost.innerHTML = '';
        this.tracesPlot = document.createElement('div');
        this.tracesPlot.className = 'rx-plot';
        this.cursorLine = document.createElement('div');
        this.cursorLine.className = 'rx-cursor';
        this.cursorLine.setAttribute('data-testid', 'explorer-cursor');
        this.cursorLine.hidden = true;
        this.tracesHost.append(this.tracesPlot, this.cursorLine);
        this.tracesHost.addEventListener('pointermove', e => this.onPointer(e));
        this.tracesHost.addEventListener('pointerleave', () => { /* keep the last cursor: it is shared with the map */ });
        this.tracesHost.tabIndex = 0;
        // A named region needs a role that may carry a name; the arrow keys move the cursor inside it.
        this.tracesHost.setAttribute('role', 'group');
        this.tracesHost.setAttribute('aria-label', 'Ride traces: move the pointer or use the arrow keys to move the cursor');
        this.tracesHost.addEventListener('keydown', e => this.onKey(e));
        this.tracesHost.addEventListener('wheel', e => this.onWheel(e), { passive: false });
    }

    unitOf(channel) {
        return channel.panel === 1 ? this.accelUnit : channel.trace.unit;
    }

    // ----- traces -----

    xOf(seconds) {
        return this.mode === 'time' ? seconds : interpolate(this.distance.t, this.distance.d, seconds) / 1000;
    }

    secondsOfX(x) {
        if (this.mode === 'time') return x;
        // distance is monotonic in time: invert by interpolation
        return interpolate(this.distance.km, this.distance.t, x);
    }

    traceData() {
        return this.channels.map(channel => {
            const trace = findChannel(this.current, channel.names) || channel.trace;
            const x = new Array(trace.t.length);
            for (let i = 0; i < x.length; i++) x[i] = this.xOf(trace.t[i]);
            return {
                type: 'scatter', // SVG: no WebGL needed (headless and old machines); the server keeps the point count to the pixel width
                mode: 'lines',
                name: `${channel.label} (${this.unitOf(channel)})`,
                x,
                y: trace.values,
                line: { color: channel.color, width: 1.5, dash: channel.dash === 'dot' ? 'dot' : 'solid' },
                xaxis: 'x',
                yaxis: channel.panel === 0 ? 'y' : `y${channel.panel + 1}`,
                hoverinfo: 'skip',
                visible: !this.hidden.has(channel.key),
            };
        });
    }

    traceLayout() {
        const unitOfPanel = p => {
            const c = this.channels.find(ch => ch.panel === p);
            return c ? this.unitOf(c) : '';
        };
        const xaxis = this.mode === 'time'
            ? { type: 'linear', tickmode: 'array', ...this.timeTicks(), title: { text: this.duration >= 3600 ? 'Time (h:mm:ss)' : 'Time (mm:ss)' } }
            : { type: 'linear', title: { text: 'Distance (km)' } };
        const layout = {
            margin: { l: 60, r: 16, t: 8, b: 44 },
            showlegend: false,
            dragmode: this.tracesPlot._fullLayout ? this.tracesPlot._fullLayout.dragmode : 'zoom',
            hovermode: false,
            xaxis: { ...xaxis, anchor: 'y3', showspikes: false, zeroline: false, automargin: false },
            shapes: [],
            font: { family: 'Roboto, Helvetica, Arial, sans-serif', size: 12 },
            paper_bgcolor: 'rgba(0,0,0,0)',
            plot_bgcolor: 'rgba(0,0,0,0)',
        };
        PANEL_DOMAINS.forEach((domain, p) => {
            const key = p === 0 ? 'yaxis' : `yaxis${p + 1}`;
            layout[key] = { domain, fixedrange: true, title: { text: `${PANEL_TITLES[p]} (${unitOfPanel(p) || '–'})`, font: { size: 11 } }, zeroline: p !== 0, automargin: false };
        });
        if (this.view) {
            layout.xaxis.range = [this.xOf(this.view[0]), this.xOf(this.view[1])];
            layout.xaxis.autorange = false;
        } else {
            layout.xaxis.autorange = true;
        }

        if (Number.isFinite(this.options.crashTimeS)) {
            const x = this.xOf(this.options.crashTimeS);
            layout.shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color: '#c62828', width: 2, dash: 'dash' } });
            layout.annotations = [{ x, xref: 'x', y: 1, yref: 'paper', text: 'Crash', showarrow: false, xanchor: 'left', yanchor: 'top', font: { color: '#c62828' } }];
        }

        return layout;
    }

    /** Ticks at a round number of seconds, labelled mm:ss or h:mm:ss (tenths when zoomed into a few seconds). */
    timeTicks() {
        const from = this.view ? this.view[0] : 0;
        const to = this.view ? this.view[1] : this.duration;
        const span = Math.max(1e-3, to - from);
        const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];
        const step = steps.find(st => span / st <= 8) || 43200;
        const tickvals = [], ticktext = [];
        for (let v = Math.ceil(from / step) * step; v <= to + 1e-9; v += step) {
            tickvals.push(Number(v.toFixed(3)));
            ticktext.push(formatClock(v, step < 1));
        }

        return { tickvals, ticktext };
    }

    async drawTraces() {
        // Wheel and trackpad pinch are handled by onWheel (x only, around the pointer, same in both axis modes).
        const config = { responsive: true, displaylogo: false, scrollZoom: false, displayModeBar: false, doubleClick: false };
        await this.Plotly.react(this.tracesPlot, this.traceData(), this.traceLayout(), config);
        if (!this.relayoutBound) {
            this.relayoutBound = true;
            this.tracesPlot.on('plotly_relayout', e => this.onRelayout(e));
        }
    }

    onRelayout(event) {
        if (this.applying) return;
        let from, to;
        if (event['xaxis.autorange']) {
            this.view = null;
        } else if (event['xaxis.range[0]'] !== undefined || event['xaxis.range']) {
            const r = event['xaxis.range'] || [event['xaxis.range[0]'], event['xaxis.range[1]']];
            const toX = v => Number(v);
            from = Math.max(0, this.secondsOfX(toX(r[0])));
            to = Math.min(this.duration, this.secondsOfX(toX(r[1])));
            this.view = to > from ? [from, to] : null;
        } else {
            return;
        }

        this.updateRange();
        if (this.mode === 'time') {
            this.applying = true;
            Promise.resolve(this.Plotly.relayout(this.tracesPlot, { 'xaxis.tickvals': this.timeTicks().tickvals, 'xaxis.ticktext': this.timeTicks().ticktext }))
                .finally(() => { this.applying = false; });
        }

        clearTimeout(this.windowTimer);
        this.windowTimer = setTimeout(() => this.refetchWindow(), WINDOW_FETCH_DELAY_MS);
    }

    /** Zoomed in: the window at the finest level the server has; zoomed out: the overview. */
    async refetchWindow() {
        const request = ++this.windowRequest;
        let data = this.overview;
        if (this.view) {
            const points = Math.min(20000, Math.max(500, Math.round(this.tracesPlot.clientWidth * 4)));
            try {
                data = await this.fetchTraces(this.view[0], this.view[1], points);
            } catch {
                data = this.overview;
            }
        }

        if (request !== this.windowRequest || this.disposed) return;
        this.current = data;
        this.applying = true;
        try {
            await this.drawTraces();
        } finally {
            this.applying = false;
        }

        this.updateRange();
        this.placeCursor();
    }

    async showWindow(view) {
        this.view = view;
        await this.refetchWindow();
    }

    async setMode(mode) {
        if (mode === this.mode || (mode === 'distance' && !this.distance)) return;
        this.mode = mode;
        this.root.querySelectorAll('[data-mode]').forEach(b => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
        this.applying = true;
        try {
            await this.Plotly.react(this.tracesPlot, this.traceData(), this.traceLayout());
        } finally {
            this.applying = false;
        }

        this.root.dataset.axis = mode;
        this.updateRange();
        this.placeCursor();
    }

    setChannelShown(channel, shown) {
        if (shown) this.hidden.delete(channel.key); else this.hidden.add(channel.key);
        const index = this.channels.indexOf(channel);
        this.Plotly.restyle(this.tracesPlot, { visible: shown }, [index]);
        this.renderReadout();
    }

    updateRange() {
        const from = this.view ? this.view[0] : 0;
        const to = this.view ? this.view[1] : this.duration;
        this.root.dataset.xFrom = from.toFixed(2);
        this.root.dataset.xTo = to.toFixed(2);
        if (this.rangeText) {
            const fmt = s => this.mode === 'time' ? formatClock(s, to - from < 60) : `${(interpolate(this.distance.t, this.distance.d, s) / 1000).toFixed(2)} km`;
            this.rangeText.textContent = this.view ? `Showing ${fmt(from)} – ${fmt(to)}` : `Whole ride, ${formatClock(this.duration)}`;
        }
    }

    // ----- cursor -----

    onPointer(event) {
        const layout = this.tracesPlot._fullLayout;
        if (!layout || !layout.xaxis) return;
        const xa = layout.xaxis;
        const box = this.tracesPlot.getBoundingClientRect();
        const px = event.clientX - box.left - xa._offset;
        if (px < 0 || px > xa._length) return;
        this.moveCursor(this.secondsOfX(pixelToValue(xa, px)));
    }

    /** Wheel (or trackpad pinch, which arrives as ctrl+wheel) zooms the time or distance window around the pointer. */
    onWheel(event) {
        const layout = this.tracesPlot._fullLayout;
        if (!layout || !layout.xaxis) return;
        const xa = layout.xaxis;
        const box = this.tracesPlot.getBoundingClientRect();
        const px = event.clientX - box.left - xa._offset;
        if (px < 0 || px > xa._length) return;
        event.preventDefault();
        const at = this.secondsOfX(pixelToValue(xa, px));
        const [from, to] = this.view ?? [0, this.duration];
        const factor = Math.exp(event.deltaY * (event.ctrlKey ? 0.01 : 0.002));
        const next = [Math.max(0, at - (at - from) * factor), Math.min(this.duration, at + (to - at) * factor)];
        if (next[1] - next[0] < 0.5) return;
        this.Plotly.relayout(this.tracesPlot, { 'xaxis.range': [this.xOf(next[0]), this.xOf(next[1])] });
    }

    onKey(event) {
        if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
        const span = this.view ? this.view[1] - this.view[0] : this.duration;
        const step = span / 200 * (event.shiftKey ? 10 : 1);
        const base = this.cursorS ?? (this.view ? this.view[0] : 0);
        this.moveCursor(Math.min(this.duration, Math.max(0, base + (event.key === 'ArrowLeft' ? -step : step))));
        event.preventDefault();
    }

    /** Public entry for the cursor (also used by the benchmark and tests). */
    moveCursor(seconds) {
        this.cursorS = seconds;
        if (!this.frame) {
            this.frame = requestAnimationFrame(() => {
                this.frame = 0;
                this.placeCursor();
                this.renderReadout();
                this.root.dataset.cursorS = this.cursorS.toFixed(3);
            });
        }
    }

    valueAt(names, seconds) {
        const trace = findChannel(this.current, names) || findChannel(this.overview, names);
        return trace ? interpolate(trace.t, trace.values, seconds) : NaN;
    }

    renderReadout() {
        if (this.cursorS === null || !this.readout) return;
        const s = this.cursorS;
        const parts = [`<span data-channel="time"><b>Time</b> ${formatClock(s, true)}</span>`];
        if (this.distance) {
            parts.push(`<span data-channel="distance"><b>Distance</b> ${(interpolate(this.distance.t, this.distance.d, s) / 1000).toFixed(2)} km</span>`);
        }

        for (const channel of this.channels) {
            if (this.hidden.has(channel.key)) continue;
            const value = this.valueAt(channel.names, s);
            const decimals = channel.panel === 1 ? 2 : 0;
            parts.push(`<span data-channel="${channel.key}" style="border-bottom:2px ${channel.dash ? 'dotted' : 'solid'} ${channel.color}"><b>${channel.label}</b> <span class="rx-value">${formatValue(value, decimals)}</span> ${this.unitOf(channel)}</span>`);
        }

        this.readout.innerHTML = parts.join('');
    }

    placeCursor() {
        if (this.cursorS === null) return;
        const layout = this.tracesPlot._fullLayout;
        if (layout && layout.xaxis) {
            const xa = layout.xaxis;
            const px = valueToPixel(xa, this.xOf(this.cursorS));
            const inside = px >= 0 && px <= xa._length;
            this.cursorLine.hidden = !inside;
            if (inside) {
                this.cursorLine.style.left = `${xa._offset + px}px`;
                this.cursorLine.style.top = `${layout.margin.t}px`;
                this.cursorLine.style.height = `${layout.height - layout.margin.t - layout.margin.b}px`;
            }
        }

        this.placeDot(this.ggPlot, this.ggDot, this.valueAt(['lateral_acceleration', 'accel_lat', 'ay'], this.cursorS) / (this.accelUnit === 'g' ? 1 : G),
            this.valueAt(['longitudinal_acceleration', 'accel_long', 'ax'], this.cursorS) / (this.accelUnit === 'g' ? 1 : G));
        if (this.lat && this.lon) {
            const lat = interpolate(this.lat.t, this.lat.values, this.cursorS);
            const lon = interpolate(this.lon.t, this.lon.values, this.cursorS);
            if (this.tiles) {
                this.Plotly.restyle(this.mapPlot, { lat: [[lat]], lon: [[lon]] }, [this.mapCursorIndex]);
            } else {
                const [x, y] = this.project(lat, lon);
                this.placeDot(this.mapPlot, this.mapDot, x, y);
            }

            this.root.dataset.mapCursor = `${lat.toFixed(6)},${lon.toFixed(6)}`;
        }
    }

    placeDot(plot, dot, x, y) {
        const layout = plot && plot._fullLayout;
        if (!dot || !layout || !layout.xaxis || !Number.isFinite(x) || !Number.isFinite(y)) {
            if (dot) dot.hidden = true;
            return;
        }

        const px = valueToPixel(layout.xaxis, x), py = layout.yaxis._length - valueToPixel(layout.yaxis, y);
        dot.hidden = px < 0 || px > layout.xaxis._length || py < 0 || py > layout.yaxis._length;
        dot.style.left = `${layout.xaxis._offset + px}px`;
        dot.style.top = `${layout.yaxis._offset + py}px`;
    }

    // ----- g-g -----

    async drawGg() {
        const host = this.root.querySelector('.rx-gg');
        const lateral = toG(findChannel(this.overview, ['lateral_acceleration', 'accel_lat', 'ay']));
        const longitudinal = toG(findChannel(this.overview, ['longitudinal_acceleration', 'accel_long', 'ax']));
        if (!host || !lateral || !longitudinal) return;
        host.innerHTML = '';
        this.ggPlot = document.createElement('div');
        this.ggPlot.className = 'rx-plot';
        this.ggDot = document.createElement('div');
        this.ggDot.className = 'rx-dot';
        this.ggDot.setAttribute('data-testid', 'gg-cursor');
        this.ggDot.hidden = true;
        host.append(this.ggPlot, this.ggDot);
        // At most ~2500 points: enough for the envelope, cheap as SVG.
        const step = Math.max(1, Math.ceil(lateral.t.length / 2500));
        const xs = [], y = [];
        for (let i = 0; i < lateral.t.length; i += step) {
            xs.push(lateral.values[i]);
            y.push(interpolate(longitudinal.t, longitudinal.values, lateral.t[i]));
        }

        let limit = 1.2;
        for (let i = 0; i < y.length; i++) limit = Math.max(limit, Math.abs(y[i]) * 1.05, Math.abs(xs[i]) * 1.05);
        const circle = { type: 'circle', xref: 'x', yref: 'y', x0: -1, x1: 1, y0: -1, y1: 1, line: { color: '#9e9e9e', dash: 'dot', width: 1 } };
        await this.Plotly.react(this.ggPlot, [{
            type: 'scatter', mode: 'markers', x: xs, y, hoverinfo: 'skip',
            marker: { size: 3, color: '#1f77b4', opacity: 0.35 },
        }], {
            margin: { l: 56, r: 12, t: 28, b: 44 },
            title: { text: 'g-g diagram', font: { size: 14 } },
            showlegend: false, hovermode: false,
            xaxis: { title: { text: 'Lateral (g, left +)' }, range: [-limit, limit], zeroline: true, constrain: 'domain' },
            yaxis: { title: { text: 'Longitudinal (g)' }, range: [-limit, limit], zeroline: true, scaleanchor: 'x', scaleratio: 1 },
            shapes: [circle],
            paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
        }, { responsive: true, displaylogo: false, displayModeBar: false, staticPlot: false });
    }

    // ----- map -----

    project(lat, lon) {
        const k = Math.cos(this.centre[0] * Math.PI / 180);
        return [(lon - this.centre[1]) * 111.32 * k, (lat - this.centre[0]) * 110.574];
    }

    async drawMap() {
        const host = this.root.querySelector('.rx-map');
        if (!host || !this.lat || !this.lon || this.lat.t.length < 2) return;
        const lat = this.lat.values, lon = this.lon.values;
        const speed = findChannel(this.overview, ['speed']);
        const speeds = speed ? this.lat.t.map(t => interpolate(speed.t, speed.values, t)) : null;
        let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
        for (let i = 0; i < lat.length; i++) {
            minLat = Math.min(minLat, lat[i]); maxLat = Math.max(maxLat, lat[i]);
            minLon = Math.min(minLon, lon[i]); maxLon = Math.max(maxLon, lon[i]);
        }

        this.centre = [(minLat + maxLat) / 2, (minLon + maxLon) / 2];
        const width = host.clientWidth || 600, height = 460;
        const zoom = Math.max(1, Math.min(18, Math.floor(Math.log2(Math.min(
            360 * width / (256 * Math.max(1e-6, maxLon - minLon)),
            170 * height / (256 * Math.max(1e-6, maxLat - minLat)))) - 0.3)));
        this.tiles = !!this.options.tileUrl && hasWebGl() && await probeTile(this.options.tileUrl, this.centre, zoom);
        host.innerHTML = '';
        this.mapPlot = document.createElement('div');
        this.mapPlot.className = 'rx-plot';
        this.mapPlot.style.height = `${height}px`;
        this.mapDot = document.createElement('div');
        this.mapDot.className = 'rx-dot';
        this.mapDot.setAttribute('data-testid', 'map-cursor');
        this.mapDot.hidden = true;
        host.append(this.mapPlot, this.mapDot);
        this.root.dataset.map = this.tiles ? 'tiles' : 'plain';
        const colorbar = { title: { text: 'Speed (km/h)', side: 'right' }, thickness: 12, len: 0.8 };
        const marker = speeds
            ? { size: 5, color: speeds, colorscale: 'Viridis', cmin: 0, showscale: true, colorbar }
            : { size: 4, color: '#1f77b4' };
        const crash = this.options.crash;
        const line = this.options.lapLine;
        const config = { responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: true };
        if (this.tiles) {
            const data = [{ type: 'scattermap', mode: 'markers', lat, lon, marker, hoverinfo: 'skip', name: 'Track' }];
            if (line) data.push({ type: 'scattermap', mode: 'lines', lat: line.lat, lon: line.lon, line: { color: '#000', width: 4 }, hoverinfo: 'text', text: 'Start/finish', name: 'Start/finish' });
            if (crash) data.push({ type: 'scattermap', mode: 'markers', lat: [crash.lat], lon: [crash.lon], marker: { size: 16, color: '#c62828' }, hoverinfo: 'text', text: 'Crash', name: 'Crash' });
            data.push({ type: 'scattermap', mode: 'markers', lat: [lat[0]], lon: [lon[0]], marker: { size: 13, color: '#ff1744' }, hoverinfo: 'skip', name: 'Cursor' });
            this.mapCursorIndex = data.length - 1;
            try {
                await this.drawTileMap(data, zoom, config);
                return;
            } catch {
                this.tiles = false;
                this.root.dataset.map = 'plain';
                this.Plotly.purge(this.mapPlot);
            }
        }

        {
            const xy = Array.from(lat, (v, i) => this.project(v, lon[i]));
            const data = [{ type: 'scatter', mode: 'markers', x: xy.map(p => p[0]), y: xy.map(p => p[1]), marker, hoverinfo: 'skip', name: 'Track' }];
            if (line) {
                const ends = line.lat.map((v, i) => this.project(v, line.lon[i]));
                data.push({ type: 'scatter', mode: 'lines', x: ends.map(p => p[0]), y: ends.map(p => p[1]), line: { color: '#000', width: 4 }, hoverinfo: 'skip', name: 'Start/finish' });
            }

            if (crash) {
                const [cx, cy] = this.project(crash.lat, crash.lon);
                data.push({ type: 'scatter', mode: 'markers+text', x: [cx], y: [cy], text: ['Crash'], textposition: 'top center', marker: { size: 14, color: '#c62828', symbol: 'x' }, hoverinfo: 'skip' });
            }

            await this.Plotly.react(this.mapPlot, data, {
                margin: { l: 56, r: 12, t: 12, b: 44 }, showlegend: false, hovermode: false,
                xaxis: { title: { text: 'East (km)' }, zeroline: false, constrain: 'domain' },
                yaxis: { title: { text: 'North (km)' }, zeroline: false, scaleanchor: 'x', scaleratio: 1 },
                paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
            }, config);
        }
    }

    drawTileMap(data, zoom, config) {
        return this.Plotly.react(this.mapPlot, data, {
            margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false,
            map: {
                style: 'white-bg', center: { lat: this.centre[0], lon: this.centre[1] }, zoom,
                layers: [{ sourcetype: 'raster', source: [this.options.tileUrl], below: 'traces', sourceattribution: this.options.attribution || '' }],
            },
        }, config);
    }

    dispose() {
        this.disposed = true;
        clearTimeout(this.windowTimer);
        if (this.frame) cancelAnimationFrame(this.frame);
        for (const plot of [this.tracesPlot, this.ggPlot, this.mapPlot]) {
            if (plot && this.Plotly) this.Plotly.purge(plot);
        }
    }
}

/** Axis value (ms for a date axis) at a pixel from the axis' start, from its current range (date ranges are strings). */
function pixelToValue(axis, px) {
    const r0 = axis.r2l(axis.range[0]), r1 = axis.r2l(axis.range[1]);
    return r0 + (r1 - r0) * px / axis._length;
}

function valueToPixel(axis, value) {
    const r0 = axis.r2l(axis.range[0]), r1 = axis.r2l(axis.range[1]);
    return (value - r0) / (r1 - r0) * axis._length;
}

/** Map tiles are drawn by MapLibre, which needs WebGL. */
function hasWebGl() {
    try {
        return !!document.createElement('canvas').getContext('webgl');
    } catch {
        return false;
    }
}

/** True when the tile at the track's centre loads: offline, blocked or misconfigured tiles keep the plain track plot. */
function probeTile(template, centre, zoom) {
    const n = 2 ** zoom;
    const x = Math.floor((centre[1] + 180) / 360 * n);
    const latRad = centre[0] * Math.PI / 180;
    const y = Math.floor((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2 * n);
    const url = template.replace('{z}', zoom).replace('{x}', x).replace('{y}', y);
    return new Promise(resolve => {
        const image = new Image();
        const timer = setTimeout(() => { image.src = ''; resolve(false); }, TILE_PROBE_TIMEOUT_MS);
        image.onload = () => { clearTimeout(timer); resolve(image.naturalWidth > 0); };
        image.onerror = () => { clearTimeout(timer); resolve(false); };
        image.crossOrigin = 'anonymous';
        image.src = url;
    });
}

const explorers = new WeakMap();

function ensureStyles() {
    if (!document.querySelector('link[data-ride-explorer]')) {
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = new URL('css/ride-explorer.css', document.baseURI).href;
        link.dataset.rideExplorer = '';
        document.head.appendChild(link);
    }
}

export async function mount(root, options) {
    unmount(root);
    ensureStyles();
    const explorer = new RideExplorer(root, options);
    explorers.set(root, explorer);
    root.rideExplorer = explorer;
    try {
        await explorer.start();
    } catch (error) {
        root.dataset.state = 'failed';
        const readout = root.querySelector('.rx-readout');
        if (readout) readout.textContent = `The interactive charts could not start (${error.message}); the pictures below show the ride.`;
    }
}

export function unmount(root) {
    const explorer = root && explorers.get(root);
    if (explorer) {
        explorer.dispose();
        explorers.delete(root);
        delete root.rideExplorer;
    }
}

// The StreamLens dashboard: reads the query API (GET /v1/tenants, /v1/progress, /v1/metrics, /v1/alerts,
// /v1/users/top, /v1/sessions/top, /v1/tags/keys, /v1/tags/top) and
// draws it with uPlot. No build step: plain JavaScript served by query-service (README, "Dashboard").
// The view (tenant, range, filters) lives in the address so it can be shared; the API key never does.
(function () {
  "use strict";

  const KEY_STORAGE = "streamlens.api-key";
  const REFRESH_MS = 15000;
  const MINUTE = 60000;
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies; dashes tell lines apart too.
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  const RANGES = {"15m": 15 * MINUTE, "1h": 60 * MINUTE, "6h": 360 * MINUTE, "24h": 1440 * MINUTE,
    "7d": 7 * 1440 * MINUTE, "30d": 30 * 1440 * MINUTE};
  const GRANULARITIES = [["1m", MINUTE], ["5m", 5 * MINUTE], ["15m", 15 * MINUTE], ["1h", 60 * MINUTE],
    ["1d", 1440 * MINUTE]];

  const $ = (selector) => document.querySelector(selector);
  const view = readView();
  let timer = null;
  let charts = {};
  let rendering = 0;
  let tenantsShown = false;
  // Alert transitions in the range, drawn on every chart: {at: seconds, state: "firing"|"resolved"}.
  let alertMarks = [];

  // ---- the view in the address --------------------------------------------------------------

  function readView() {
    const q = new URLSearchParams(location.search);
    const range = q.get("range") in RANGES || q.get("range") === "custom" ? q.get("range") : "1h";
    return {tenant: q.get("tenant") || "", range: range, from: q.get("from") || "", to: q.get("to") || "",
      route: q.get("route") || "", model: q.get("model") || "", tag: q.get("tag") || "", paused: q.get("paused") === "1",
      sort: q.get("sort") || "requests", desc: q.get("order") !== "asc"};
  }

  function writeView() {
    const q = new URLSearchParams();
    if (view.tenant) q.set("tenant", view.tenant);
    q.set("range", view.range);
    if (view.range === "custom") { q.set("from", view.from); q.set("to", view.to); }
    if (view.route) q.set("route", view.route);
    if (view.model) q.set("model", view.model);
    if (view.tag) q.set("tag", view.tag);
    if (view.sort !== "requests" || !view.desc) { q.set("sort", view.sort); q.set("order", view.desc ? "desc" : "asc"); }
    history.replaceState(null, "", location.pathname + "?" + q.toString());
  }

  // ---- time range and granularity ------------------------------------------------------------

  /** The range as whole buckets of a granularity that keeps a chart under ~200 points. */
  function timeRange(now) {
    let from, to;
    if (view.range === "custom" && view.from && view.to) {
      from = Date.parse(view.from + "Z");
      to = Date.parse(view.to + "Z");
    } else {
      to = now;
      from = now - RANGES[view.range === "custom" ? "1h" : view.range];
    }
    const span = to - from;
    const fixed = {"15m": "1m", "1h": "1m", "6h": "5m", "24h": "15m", "7d": "1h", "30d": "1d"}[view.range];
    let g = GRANULARITIES.find(([name, ms]) => fixed ? name === fixed : span / ms <= 200) || GRANULARITIES[4];
    const size = g[1];
    // Ranges of a day or more are aligned to whole hours, so the table reads the hourly rollups too.
    const unit = Math.max(size, span >= 1440 * MINUTE ? 60 * MINUTE : size);
    from = Math.floor(from / unit) * unit;
    to = Math.ceil(to / unit) * unit;
    const spark = GRANULARITIES.find(([, ms]) => (to - from) / ms <= 48) || GRANULARITIES[4];
    return {from: from, to: to, granularity: g[0], size: size, spark: spark[0], sparkSize: spark[1]};
  }

  const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");
  const hhmm = (ms) => new Date(ms).toISOString().substring(11, 16);
  const dayHhmm = (ms) => new Date(ms).toISOString().substring(0, 16).replace("T", " ");

  // ---- the API -------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, params) {
    const headers = {"Accept": "application/json"};
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) headers["Authorization"] = "Bearer " + key;
    const url = path + (params ? "?" + new URLSearchParams(params).toString() : "");
    let response;
    try {
      response = await fetch(url, {headers: headers});
    } catch (e) {
      throw new ApiError(0, "the query service did not answer (" + e.message + ")");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body.error || ("HTTP " + response.status));
    return body;
  }

  /** Every row of a rollup: follows next_to while the API says the answer was cut. */
  async function rollup(params) {
    let rows = [];
    let to = params.to;
    for (let page = 0; page < 10; page++) {
      const body = await api("/v1/metrics", Object.assign({}, params, {to: to, limit: 1000}));
      rows = rows.concat(body.metrics);
      if (!body.truncated) break;
      to = body.next_to;
    }
    return rows;
  }

  // ---- loading a view ------------------------------------------------------------------------

  async function refresh() {
    const run = ++rendering;
    clearTimeout(timer);
    try {
      // The tenant picker's list is read once: first when the address names no tenant, else after
      // the figures (a browser opens six connections to a host; a seventh call would wait).
      if (!view.tenant) {
        fillTenants((await api("/v1/tenants")).tenants);
        tenantsShown = true;
        if (!view.tenant) {
          showEmpty("No tenant has results yet. Rows appear about a minute after the first events reach " +
            "POST /v1/llm/events or /v1/traces on the ingest port (when their window closes).");
          return schedule();
        }
      }
      const range = timeRange(Date.now());
      const base = {tenant_id: view.tenant, from: iso(range.from), to: iso(range.to)};
      const filters = {};
      if (view.route) filters.route = view.route;
      if (view.model) filters.model = view.model;
      // Charts of counts skip the sketches (percentiles=false); totals and the table merge them over the range.
      const [progress, byModel, overall, totals, table, sparks] = await Promise.all([
        api("/v1/progress"),
        rollup(Object.assign({}, base, filters, {granularity: range.granularity, group_by: "model", percentiles: "false"})),
        rollup(Object.assign({}, base, filters, {granularity: range.granularity, group_by: "none"})),
        rollup(Object.assign({}, base, filters, {granularity: "all", group_by: "none"})),
        rollup(Object.assign({}, base, {granularity: "all", group_by: "route,model"})),
        rollup(Object.assign({}, base, filters, {granularity: range.spark, group_by: "route,model", percentiles: "false"})),
      ]);
      if (run !== rendering) return; // a newer view was asked for meanwhile
      hide("#key-prompt"); hide("#problem");
      $("#forget-key").hidden = !sessionStorage.getItem(KEY_STORAGE);
      fillFilters(table);
      showFreshness(progress);
      if (totals.length === 0 || totals[0].requests + totals[0].timeouts === 0) {
        showEmpty("No calls for " + view.tenant + " in this range" + filterText() + ". Rows appear about a " +
          "minute after events arrive (when their window closes); try a longer range or other filters.");
      } else {
        hide("#empty");
        show("#content");
        showTotals(totals[0]);
        drawCharts(range, byModel, overall, progress);
        showTable(table, sparks, range);
        if (performance.getEntriesByName("streamlens-figures-shown").length === 0) {
          performance.mark("streamlens-figures-shown"); // read by the page-load benchmark
        }
      }
      // Alerts after the figures, so they never hold the charts back; a failure here leaves the figures shown.
      await showAlerts(base, range, run);
      await showContributors(Object.assign({}, base, filters), run);
      if (!tenantsShown) {
        fillTenants((await api("/v1/tenants")).tenants);
        tenantsShown = true;
      }
    } catch (e) {
      if (run !== rendering) return;
      showProblem(e);
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (!view.paused) timer = setTimeout(refresh, REFRESH_MS);
  }

  function filterText() {
    return (view.route ? ", route " + view.route : "") + (view.model ? ", model " + view.model : "");
  }

  function showProblem(e) {
    hide("#content"); hide("#empty");
    if (e.status === 401) {
      const hadKey = !!sessionStorage.getItem(KEY_STORAGE);
      sessionStorage.removeItem(KEY_STORAGE);
      show("#key-prompt");
      $("#key-error").hidden = !hadKey;
      $("#key-error").textContent = hadKey ? "That key was refused (" + e.message + "). Enter another." : "";
      $("#freshness").textContent = "Enter an API key to see this tenant's figures.";
      $("#key").focus();
      return;
    }
    const problem = $("#problem");
    problem.textContent = e.status === 403
      ? "Your key may not read tenant " + view.tenant + " (" + e.message + "). Pick your own tenant."
      : "The figures could not be loaded: " + e.message + ". " +
        (view.paused ? "Resume refresh to try again." : "Trying again in " + REFRESH_MS / 1000 + " s.");
    show("#problem");
  }

  function showEmpty(text) {
    hide("#content");
    const empty = $("#empty");
    empty.textContent = text;
    show("#empty");
  }

  // ---- alerts --------------------------------------------------------------------------------

  async function showAlerts(base, range, run) {
    let firing, history;
    try {
      [firing, history] = await Promise.all([
        api("/v1/alerts", {tenant_id: view.tenant, state: "firing"}),
        api("/v1/alerts", {tenant_id: view.tenant, from: base.from, to: base.to, limit: 1000}),
      ]);
    } catch (e) {
      return; // alerts are an addition to the figures, never a reason to hide them
    }
    if (run !== rendering) return;
    const list = $("#alerts-firing");
    list.textContent = "";
    for (const a of firing.alerts) {
      const li = document.createElement("li");
      const scope = [a.route && "route " + a.route, a.model && "model " + a.model].filter(Boolean).join(", ");
      const figure = a.value == null ? "" : ": " + formatAlertValue(a.kind, a.value) +
        (a.threshold == null ? "" : " (threshold " + formatAlertValue(a.kind, a.threshold) + ")");
      li.textContent = a.rule_id + " — " + a.kind.replace("_", " ") + (scope ? " on " + scope : "") + figure +
        ", firing since " + dayHhmm(Date.parse(a.fired_at)) + " UTC" +
        (a.delivery && a.delivery.status !== "none" ? "; webhook " + a.delivery.status : "");
      li.dataset.alertId = a.alert_id;
      list.appendChild(li);
    }
    $("#alerts").hidden = firing.alerts.length === 0;
    const from = range.from / 1000;
    const to = range.to / 1000;
    alertMarks = history.alerts.map((a) => ({
      at: (a.state === "firing" ? Date.parse(a.fired_at) : Date.parse(a.window_end)) / 1000, state: a.state,
    })).filter((m) => m.at >= from && m.at <= to);
    for (const name of Object.keys(charts)) {
      charts[name].redraw(false);
      document.getElementById("chart-" + name).dataset.alertMarks = String(alertMarks.length);
    }
  }

  function formatAlertValue(kind, v) {
    if (kind === "error_rate") return Number(v).toFixed(1) + " %";
    if (kind === "latency") return ms(v) + " ms";
    if (kind === "spend" || kind === "user_spend") return usd(v);
    return count(v);
  }

  /** Vertical lines where alerts fired (vermillion) and resolved (green), over every chart. */
  function markAlerts() {
    return {hooks: {draw: [(u) => {
      for (const m of alertMarks) {
        const x = u.valToPos(m.at, "x", true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
        u.ctx.save();
        u.ctx.strokeStyle = m.state === "firing" ? "#D55E00" : "#009E73";
        u.ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
        u.ctx.setLineDash(m.state === "firing" ? [] : [4, 3]);
        u.ctx.beginPath();
        u.ctx.moveTo(x, u.bbox.top);
        u.ctx.lineTo(x, u.bbox.top + u.bbox.height);
        u.ctx.stroke();
        u.ctx.restore();
      }
    }]}};
  }

  // ---- freshness -----------------------------------------------------------------------------

  function showFreshness(progress) {
    const line = $("#freshness");
    if (!progress.windows_closed_until) {
      line.textContent = "The job has not committed results yet: figures appear once its first checkpoint completes.";
      line.dataset.closedUntil = "";
      return;
    }
    const closed = Date.parse(progress.windows_closed_until);
    const finalUntil = Date.parse(progress.final_until);
    line.dataset.closedUntil = progress.windows_closed_until;
    line.dataset.finalUntil = progress.final_until;
    line.textContent = "Windows closed up to " + dayHhmm(closed) + " UTC; figures after " + dayHhmm(finalUntil) +
      " UTC may still change with late events. " + (view.paused ? "Refresh paused." :
        "Refreshed " + new Date().toISOString().substring(11, 19) + " UTC.");
  }

  // ---- totals --------------------------------------------------------------------------------

  const count = (n) => Number(n).toLocaleString("en-US");
  const percent = (part, whole) => whole > 0 ? (100 * part / whole).toFixed(2) + " %" : "–";
  const ms = (v) => v == null ? "–" : Math.round(v).toLocaleString("en-US");
  const usd = (v) => "$" + Number(v).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 6});

  function showTotals(t) {
    setTotal("requests", count(t.requests), t.requests);
    setTotal("errors", count(t.errors), t.errors);
    setTotal("error_rate", percent(t.errors, t.requests), t.requests > 0 ? t.errors / t.requests : "");
    setTotal("timeouts", count(t.timeouts), t.timeouts);
    setTotal("p95_latency_ms", t.p95_latency_ms == null ? "–" : ms(t.p95_latency_ms) + " ms", t.p95_latency_ms ?? "");
    setTotal("tokens", count(t.total_prompt_tokens) + " / " + count(t.total_completion_tokens),
      t.total_prompt_tokens + "/" + t.total_completion_tokens);
    setTotal("estimated_cost_usd", usd(t.estimated_cost_usd), t.estimated_cost_usd);
  }

  function setTotal(name, text, raw) {
    const cell = document.querySelector('[data-total="' + name + '"]');
    cell.textContent = text;
    cell.dataset.value = String(raw);
  }

  // ---- charts --------------------------------------------------------------------------------

  function buckets(range) {
    const xs = [];
    for (let t = range.from; t < range.to; t += range.size) xs.push(t / 1000);
    return xs;
  }

  /**
   * Values per bucket start. A bucket without a row had no calls: 0 for counts once its windows
   * have closed (null before: not known yet), null for percentiles.
   */
  function column(rows, xs, value, zeroUntil) {
    const at = new Map(rows.map((r) => [Date.parse(r.window_start) / 1000, r]));
    return xs.map((x, i) => at.has(x) ? value(at.get(x))
      : (zeroUntil != null && (xs[i + 1] ?? x) <= zeroUntil ? 0 : null));
  }

  /** The models with the most tokens, each drawn apart; the rest summed as one, so colours stay distinguishable. */
  function topModels(byModel, max) {
    const tokens = new Map();
    for (const r of byModel) tokens.set(r.model, (tokens.get(r.model) || 0) + r.total_prompt_tokens + r.total_completion_tokens);
    const ranked = [...tokens.keys()].sort((a, b) => tokens.get(b) - tokens.get(a) || a.localeCompare(b));
    return ranked.length <= max ? {shown: ranked, others: []} : {shown: ranked.slice(0, max - 1), others: ranked.slice(max - 1)};
  }

  function drawCharts(range, byModel, overall, progress) {
    const xs = buckets(range);
    const minutes = range.size / MINUTE;
    const closed = progress.windows_closed_until ? Date.parse(progress.windows_closed_until) / 1000 : null;
    const perMinute = (field) => column(overall, xs, (r) => r[field] / minutes, closed);
    const openFrom = progress.final_until ? Date.parse(progress.final_until) / 1000 : null;

    chart("volume", xs, [
      {label: "requests/min", values: perMinute("requests")},
      {label: "errors/min", values: perMinute("errors"), dash: [6, 3]},
      {label: "timeouts/min", values: perMinute("timeouts"), dash: [2, 3]},
    ], openFrom, range);

    const streamed = overall.some((r) => r.streamed_requests > 0);
    const latency = [
      {label: "p50", values: column(overall, xs, (r) => r.p50_latency_ms)},
      {label: "p95", values: column(overall, xs, (r) => r.p95_latency_ms), dash: [6, 3]},
      {label: "p99", values: column(overall, xs, (r) => r.p99_latency_ms), dash: [2, 3]},
    ];
    if (streamed) latency.push({label: "time to first token p95", values: column(overall, xs, (r) => r.p95_ttft_ms), dash: [10, 4, 2, 4]});
    $("#ttft-note").textContent = streamed ? ", and time to first token of streamed calls" : "";
    chart("latency", xs, latency, openFrom, range);

    const models = topModels(byModel, 7);
    const perModel = (field) => {
      const parts = models.shown.map((m) => ({label: m,
        values: column(byModel.filter((r) => r.model === m), xs, (r) => Number(r[field]), closed)}));
      if (models.others.length > 0) {
        const rest = new Map();
        for (const r of byModel) {
          if (!models.others.includes(r.model)) continue;
          const x = Date.parse(r.window_start) / 1000;
          rest.set(x, (rest.get(x) || 0) + Number(r[field]));
        }
        parts.push({label: models.others.length + " other models",
          values: xs.map((x, i) => rest.has(x) ? rest.get(x) : ((xs[i + 1] ?? x) <= closed ? 0 : null))});
      }
      return parts;
    };
    const cached = overall.some((r) => r.cached_prompt_tokens > 0);
    const reasoning = overall.some((r) => r.reasoning_tokens > 0);
    $("#cached-note").textContent = cached ? "; dashed: of which read from the prompt cache" : "";
    $("#reasoning-note").textContent = reasoning ? "; dashed: of which reasoning" : "";
    stacked("tokens-in", xs, perModel("total_prompt_tokens"),
      cached ? {label: "cached (all models)", values: column(overall, xs, (r) => r.cached_prompt_tokens, closed)} : null, openFrom, range);
    stacked("tokens-out", xs, perModel("total_completion_tokens"),
      reasoning ? {label: "reasoning (all models)", values: column(overall, xs, (r) => r.reasoning_tokens, closed)} : null, openFrom, range);
    stacked("cost", xs, perModel("estimated_cost_usd"), null, openFrom, range);
  }

  /** 24-hour UTC labels as precise as the ticks are apart: 21:39:30, 21:39, or 11-29 on a daily scale. */
  function timeLabels(u, splits, axisIdx, space, increment) {
    return splits.map((s) => {
      const text = new Date(s * 1000).toISOString();
      if (increment >= 86400) return text.substring(5, 10);
      if (increment >= 60) return text.substring(11, 16);
      return text.substring(11, 19);
    });
  }

  function chartWidth(container) {
    return Math.max(280, container.clientWidth || 600);
  }

  /** Shades the windows that late events may still revise (after final_until). */
  function shadeOpen(openFrom) {
    return {hooks: {drawClear: [(u) => {
      if (openFrom == null) return;
      const left = Math.max(u.bbox.left, u.valToPos(openFrom, "x", true));
      const right = u.bbox.left + u.bbox.width;
      if (left >= right) return;
      u.ctx.save();
      u.ctx.fillStyle = "rgba(120, 120, 120, 0.15)";
      u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      u.ctx.restore();
    }]}};
  }

  function chart(name, xs, lines, openFrom, range, extra) {
    const container = document.getElementById("chart-" + name);
    const options = Object.assign({
      width: chartWidth(container), height: 220, plugins: [shadeOpen(openFrom), markAlerts()],
      scales: {x: {time: true}},
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"), // every time on the page is UTC
      axes: [{values: timeLabels}, {size: 56, values: (u, splits) => splits.map(compact)}],
      series: [{label: "UTC", value: (u, v) => v == null ? "–" : dayHhmm(v * 1000)}].concat(lines.map((l, i) => ({
        label: l.label, stroke: l.stroke || PALETTE[i % PALETTE.length], width: 2, dash: l.dash, fill: l.fill,
        spanGaps: false, value: l.value,
      }))),
    }, extra || {});
    const data = [xs].concat(lines.map((l) => l.values));
    if (charts[name]) charts[name].destroy();
    container.textContent = "";
    charts[name] = new uPlot(options, data, container);
    container.dataset.series = JSON.stringify(lines.map((l) => l.label));
    container.dataset.points = String(xs.length);
  }

  /** Stacked areas, one per model: each series drawn at its running total, the legend showing its own value. */
  function stacked(name, xs, parts, overlay, openFrom, range) {
    const totals = xs.map(() => null);
    const lines = parts.map((p, i) => {
      const raw = p.values;
      // A bucket nobody has a value for yet (windows still open) stays a gap, not a zero.
      const values = raw.map((v, j) => v == null ? totals[j] : (totals[j] = (totals[j] || 0) + v));
      return {label: p.label, values: values, fill: PALETTE[i % PALETTE.length] + "66",
        value: (u, v, si, idx) => idx == null || raw[idx] == null ? "–" : formatValue(name, raw[idx])};
    }).reverse(); // the tallest (last) total first, so smaller areas are painted over it
    if (overlay) lines.push({label: overlay.label, values: overlay.values, stroke: "#000000", dash: [5, 4]});
    chart(name, xs, lines, openFrom, range);
  }

  const COMPACT = new Intl.NumberFormat("en-US", {notation: "compact", maximumFractionDigits: 2});
  function compact(v) {
    return v == null ? "" : COMPACT.format(v);
  }

  function formatValue(name, v) {
    return name === "cost" ? usd(v) : count(v);
  }

  // ---- table ---------------------------------------------------------------------------------

  function showTable(rows, sparks, range) {
    const visible = rows.filter((r) => (!view.route || r.route === view.route) && (!view.model || r.model === view.model));
    const totalCost = visible.reduce((sum, r) => sum + Number(r.estimated_cost_usd), 0);
    const data = visible.map((r) => Object.assign({}, r, {
      error_rate: r.requests > 0 ? r.errors / r.requests : 0,
      cost_share: totalCost > 0 ? Number(r.estimated_cost_usd) / totalCost : 0,
    }));
    const key = view.sort;
    data.sort((a, b) => {
      const x = a[key], y = b[key];
      const order = typeof x === "string" ? String(x).localeCompare(String(y)) : Number(x ?? -1) - Number(y ?? -1);
      return view.desc ? -order : order;
    });
    document.querySelectorAll("#series th[data-sort]").forEach((th) => {
      th.setAttribute("aria-sort", th.dataset.sort === key ? (view.desc ? "descending" : "ascending") : "none");
    });
    const body = $("#series tbody");
    body.textContent = "";
    const sparkXs = [];
    for (let t = range.from; t < range.to; t += range.sparkSize) sparkXs.push(t);
    for (const r of data) {
      const tr = document.createElement("tr");
      tr.dataset.route = r.route;
      tr.dataset.model = r.model;
      cell(tr, "route", r.route, r.route);
      cell(tr, "model", r.model, r.model);
      cell(tr, "requests", count(r.requests), r.requests, true);
      cell(tr, "error_rate", percent(r.errors, r.requests), r.error_rate, true);
      cell(tr, "p95_latency_ms", ms(r.p95_latency_ms), r.p95_latency_ms ?? "", true);
      cell(tr, "estimated_cost_usd", usd(r.estimated_cost_usd), r.estimated_cost_usd, true);
      cell(tr, "cost_share", (100 * r.cost_share).toFixed(1) + " %", r.cost_share, true);
      cell(tr, "unpriced_requests", count(r.unpriced_requests), r.unpriced_requests, true);
      const series = sparks.filter((s) => s.route === r.route && s.model === r.model);
      const at = new Map(series.map((s) => [Date.parse(s.window_start), s.requests]));
      const td = document.createElement("td");
      td.appendChild(sparkline(sparkXs.map((t) => at.get(t) || 0), r.route + " " + r.model));
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  // ---- who: top end users and sessions -------------------------------------------------------

  async function showContributors(params, run) {
    let users, sessions;
    try {
      [users, sessions] = await Promise.all([
        api("/v1/users/top", Object.assign({}, params, {by: "cost", limit: 10})),
        api("/v1/sessions/top", Object.assign({}, params, {by: "cost", limit: 10})),
      ]);
    } catch (e) {
      $("#who").hidden = true; // the figures above stay; who spent them is a detail
      return;
    }
    if (run !== rendering) return;
    fillContributors("#top-users", users.users, users.everyone_else, "(no user id)", false);
    fillContributors("#top-sessions", sessions.sessions, sessions.everyone_else, "(no session id)", true);
    $("#who").hidden = users.totals.requests === 0;
    await showTags(params, run);
  }

  /** The tag picker: the keys the range's rows hold; the chosen key's values by cost. */
  async function showTags(params, run) {
    let keys, top = null;
    try {
      keys = (await api("/v1/tags/keys", params)).keys.map((k) => k.key);
      const key = keys.includes(view.tag) ? view.tag : keys[0];
      if (key) top = await api("/v1/tags/top", Object.assign({}, params, {key: key, by: "cost", limit: 10}));
    } catch (e) {
      $("#tags").hidden = true;
      return;
    }
    if (run !== rendering) return;
    $("#tags").hidden = top === null;
    if (top === null) return;
    const select = $("#tag-key");
    select.textContent = "";
    for (const k of keys) select.appendChild(new Option(k, k));
    select.value = top.key;
    const values = top.values.map((v) => Object.assign({}, v, {id: v.value}));
    fillContributors("#top-tags", values, top.everyone_else, "(no value)", false);
  }

  function fillContributors(table, listed, rest, noId, withSpan) {
    const body = $(table + " tbody");
    body.textContent = "";
    for (const c of listed) {
      const tr = document.createElement("tr");
      tr.dataset.id = c.id === null ? "" : c.id;
      cell(tr, "id", c.id === null ? noId : c.id, c.id === null ? "" : c.id);
      bounded(tr, c, "cost_usd", usd);
      bounded(tr, c, "requests", count);
      if (!withSpan) bounded(tr, c, "tokens", count);
      bounded(tr, c, "errors", count);
      if (withSpan) {
        const minutes = c.first_window_start ? (Date.parse(c.last_window_end) - Date.parse(c.first_window_start)) / 60000 : null;
        cell(tr, "minutes", minutes === null ? "–" : count(minutes), minutes ?? "", true);
      }
      body.appendChild(tr);
    }
    const foot = $(table + " tfoot");
    foot.textContent = "";
    const tr = document.createElement("tr");
    tr.dataset.id = "everyone-else";
    cell(tr, "id", "Everyone else", "everyone-else");
    cell(tr, "cost_usd", usd(rest.cost_usd), rest.cost_usd, true);
    cell(tr, "requests", count(rest.requests), rest.requests, true);
    if (!withSpan) cell(tr, "tokens", count(rest.tokens), rest.tokens, true);
    cell(tr, "errors", count(rest.errors), rest.errors, true);
    if (withSpan) cell(tr, "minutes", "", "", true);
    foot.appendChild(tr);
  }

  /** A figure as counted; when not exact, marked ≈ with its upper bound in the tooltip. */
  function bounded(tr, c, name, format) {
    const value = c[name];
    const atMost = c.at_most ? c.at_most[name] : value;
    const exact = Number(atMost) === Number(value);
    cell(tr, name, (exact ? "" : "≈ ") + format(value), value, true);
    if (!exact) tr.lastChild.title = "at least " + format(value) + ", at most " + format(atMost);
  }

  function cell(tr, name, text, raw, numeric) {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.col = name;
    td.dataset.value = String(raw);
    if (numeric) td.className = "num";
    tr.appendChild(td);
  }

  function sparkline(values, label) {
    const width = 120, height = 24, max = Math.max(1, ...values);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "requests over the range for " + label + ": " + values.join(", "));
    const step = values.length > 1 ? width / (values.length - 1) : width;
    const points = values.map((v, i) => (i * step).toFixed(1) + "," + (height - 2 - (v / max) * (height - 4)).toFixed(1));
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", PALETTE[0]);
    line.setAttribute("stroke-width", "1.5");
    svg.appendChild(line);
    return svg;
  }

  // ---- controls ------------------------------------------------------------------------------

  function fillTenants(tenants) {
    const select = $("#tenant");
    select.textContent = "";
    for (const t of tenants) select.appendChild(new Option(t, t));
    if (!tenants.includes(view.tenant) && view.tenant) select.appendChild(new Option(view.tenant, view.tenant));
    if (!view.tenant && tenants.length > 0) view.tenant = tenants[0];
    select.value = view.tenant;
    writeView();
  }

  function fillFilters(tableRows) {
    fillOptions($("#route"), [...new Set(tableRows.map((r) => r.route))].sort(), view.route, "all routes");
    fillOptions($("#model"), [...new Set(tableRows.map((r) => r.model))].sort(), view.model, "all models");
  }

  function fillOptions(select, values, current, allText) {
    if (current && !values.includes(current)) values.push(current);
    const wanted = JSON.stringify(values);
    if (select.dataset.options !== wanted) {
      select.textContent = "";
      select.appendChild(new Option(allText, ""));
      for (const v of values) select.appendChild(new Option(v, v));
      select.dataset.options = wanted;
    }
    select.value = current;
  }

  function markRange() {
    document.querySelectorAll("[data-range]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.range === view.range)));
    $("#custom-range").hidden = view.range !== "custom";
  }

  function changed() {
    writeView();
    markRange();
    refresh();
  }

  function show(selector) { $(selector).hidden = false; }
  function hide(selector) { $(selector).hidden = true; }

  function wire() {
    $("#tenant").addEventListener("change", (e) => { view.tenant = e.target.value; view.route = ""; view.model = ""; changed(); });
    $("#route").addEventListener("change", (e) => { view.route = e.target.value; changed(); });
    $("#model").addEventListener("change", (e) => { view.model = e.target.value; changed(); });
    $("#tag-key").addEventListener("change", (e) => { view.tag = e.target.value; changed(); });
    document.querySelectorAll("[data-range]").forEach((b) => b.addEventListener("click", () => {
      view.range = b.dataset.range;
      if (view.range === "custom") {
        const now = Date.now();
        $("#to").value = $("#to").value || new Date(now).toISOString().substring(0, 16);
        $("#from").value = $("#from").value || new Date(now - 6 * 60 * MINUTE).toISOString().substring(0, 16);
        markRange();
        $("#from").focus();
        return;
      }
      changed();
    }));
    $("#apply-range").addEventListener("click", () => {
      const from = $("#from").value, to = $("#to").value;
      if (!from || !to || Date.parse(from + "Z") >= Date.parse(to + "Z")) {
        showProblem(new ApiError(400, "'From' must be before 'To'"));
        return;
      }
      view.from = from; view.to = to;
      changed();
    });
    $("#pause").addEventListener("click", () => {
      view.paused = !view.paused;
      $("#pause").setAttribute("aria-pressed", String(view.paused));
      $("#pause").textContent = view.paused ? "Resume refresh" : "Pause refresh";
      if (view.paused) clearTimeout(timer); else refresh();
    });
    $("#forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORAGE);
      view.tenant = "";
      tenantsShown = false;
      changed();
    });
    $("#key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY_STORAGE, $("#key").value.trim());
      $("#key").value = "";
      view.tenant = "";
      tenantsShown = false;
      changed();
    });
    document.querySelectorAll("#series th[data-sort] button").forEach((button) => button.addEventListener("click", () => {
      const column = button.parentElement.dataset.sort;
      view.desc = view.sort === column ? !view.desc : !["route", "model"].includes(column);
      view.sort = column;
      changed();
    }));
    window.addEventListener("resize", () => {
      for (const name in charts) {
        const container = document.getElementById("chart-" + name);
        charts[name].setSize({width: chartWidth(container), height: 220});
      }
    });
  }

  wire();
  if (view.range === "custom") { $("#from").value = view.from; $("#to").value = view.to; }
  $("#pause").setAttribute("aria-pressed", String(view.paused));
  $("#pause").textContent = view.paused ? "Resume refresh" : "Pause refresh";
  markRange();
  refresh();
})();

/* 统计分析 (stats/templates/stats/dashboard.html): the filters' address, and the chart of a figure.
 *
 * The chart draws only the rows of the table beside it (#stats-chart-data, built by stats/charts.py
 * from the same table), so the map, the table and the export show the same numbers. A "<5" cell has
 * no value here and is drawn as suppressed, never as a number. Without this script the table, its
 * drill-down links and the export work the same; the chart stays hidden (site.css).
 */
(function () {
  "use strict";

  // An empty select means "all": leave it out of the address, so the filters stay strict.
  var form = document.getElementById("stats-filters");
  if (form) {
    form.addEventListener("submit", function (event) {
      Array.prototype.forEach.call(event.target.elements, function (el) {
        if (el.name && el.value === "") el.disabled = true;
      });
    });
  }

  var figure = document.getElementById("stats-chart");
  var source = document.getElementById("stats-chart-data");
  if (!figure || !source) return;
  if (!window.echarts) { figure.hidden = true; return; } // the library failed to load: the table remains

  var echarts = window.echarts;
  var spec = JSON.parse(source.textContent);
  var canvas = figure.querySelector(".stats-chart-canvas");
  var chart = echarts.init(canvas, null, { renderer: "canvas" });
  var esc = echarts.format.encodeHTML;
  var SUPPRESSED = "<5";
  // Between a unit and its value: "：" on the Chinese page, ": " on the English one (<html lang>).
  var COLON = /^zh/i.test(document.documentElement.lang || "zh") ? "：" : ": ";
  var BLUES = ["#e3eefb", "#9cc3ee", "#4a8fdb", "#1f6fc6", "#0b4f9c"];
  var MUTED = "#cbd2d9";
  var HATCH = { symbol: "rect", symbolSize: 1, color: "rgba(82, 96, 109, 0.45)", dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4 };

  function shown(point) {
    if (!point) return "0";
    return point.suppressed ? point.shown || SUPPRESSED : String(point.value);
  }

  function tooltip(point, name) {
    if (!point) return esc(name) + "<br>" + esc(spec.unit) + COLON + "0";
    var html = "<strong>" + esc(point.label) + "</strong><br>" + esc(spec.unit) + COLON + esc(shown(point));
    if (spec.field === "hours") html += "<br>" + esc(spec.count_unit) + COLON + esc(String(point.count));
    if (point.suppressed) html += "<br>" + esc(figure.dataset.textSuppressed);
    return html;
  }

  function done() {
    chart.on("finished", function () { figure.dataset.ready = "true"; });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drill(point) {
    if (point && point.drill_url) window.location.assign(point.drill_url);
  }

  function drawMap(geo) {
    done();
    echarts.registerMap("china", geo);
    var nameOf = {};
    geo.features.forEach(function (feature) {
      nameOf[String(feature.id || feature.properties.id).slice(0, 2)] = feature.properties.name;
    });
    var byName = {};
    var max = 1;
    var data = [];
    spec.points.forEach(function (point) {
      var name = nameOf[point.key];
      if (!name) return; // 未知: no place on the map, the table lists it
      byName[name] = point;
      if (point.suppressed) {
        data.push({ name: name, value: null, suppressed: true, itemStyle: { areaColor: MUTED, decal: HATCH } });
      } else {
        data.push({ name: name, value: point.value });
        max = Math.max(max, point.value);
      }
    });
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return tooltip(byName[p.name], p.name); } },
      visualMap: { type: "continuous", min: 0, max: max, left: 10, bottom: 10, calculable: false, text: [String(max), "0"], inRange: { color: BLUES } },
      series: [{
        type: "map", map: "china", roam: false, selectedMode: false, data: data,
        itemStyle: { areaColor: "#f5f7fa", borderColor: "#9aa5b1" },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#f7c948" } },
      }],
    });
    chart.on("click", function (p) { drill(byName[p.name]); });
  }

  function drawTrend() {
    done();
    chart.setOption({
      grid: { left: 56, right: 24, top: 24, bottom: 40 },
      tooltip: { trigger: "axis", formatter: function (ps) { return tooltip(spec.points[ps[0].dataIndex]); } },
      xAxis: { type: "category", data: spec.points.map(function (p) { return p.label; }) },
      yAxis: { type: "value", minInterval: 1, name: spec.unit },
      series: [{
        type: "line", connectNulls: false, symbolSize: 7, itemStyle: { color: BLUES[3] },
        data: spec.points.map(function (p) { return p.suppressed ? null : p.value; }),
        markPoint: {
          symbol: "rect", symbolSize: [26, 16], itemStyle: { color: MUTED }, label: { color: "#1f2933", formatter: SUPPRESSED },
          data: spec.points.map(function (p, i) { return p.suppressed ? { coord: [i, 0] } : null; }).filter(Boolean),
        },
      }],
    });
  }

  function drawBars() {
    canvas.style.height = Math.max(160, spec.points.length * 30 + 60) + "px";
    chart.resize();
    done();
    var labels = spec.points.map(function (p) { return p.label; });
    chart.setOption({
      grid: { left: 8, right: 56, top: 16, bottom: 16, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return tooltip(spec.points[p.dataIndex]); } },
      xAxis: { type: "value", minInterval: 1, name: spec.unit },
      yAxis: { type: "category", inverse: true, data: labels, axisLabel: { width: 180, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 22, itemStyle: { color: BLUES[3] },
        label: { show: true, position: "right", formatter: function (p) { return shown(spec.points[p.dataIndex]); } },
        // a suppressed bar has no length, only its "<5" label
        data: spec.points.map(function (p) { return p.suppressed ? 0 : p.value; }),
      }],
    });
    chart.on("click", function (p) { drill(spec.points[p.dataIndex]); });
  }

  if (spec.kind === "map") {
    fetch(figure.dataset.mapUrl, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(drawMap)
      .catch(function () {
        chart.dispose();
        canvas.removeAttribute("role");
        canvas.textContent = figure.dataset.textMapFailed;
        figure.dataset.ready = "failed";
      });
  } else if (spec.kind === "line") {
    drawTrend();
  } else {
    drawBars();
  }
})();

// The care pages. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // "Add an item" / "Add a difficulty": clone the formset's <template>, number the new row
  // and count it in TOTAL_FORMS. Without JavaScript the button posts the form and the server
  // adds the row instead.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-nx-add-row]") : null;
    if (!button) { return; }
    var prefix = button.getAttribute("data-nx-add-row");
    var template = document.getElementById("nx-template-" + prefix);
    var rows = document.querySelector("[data-rows='" + prefix + "']");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) { return; }
    event.preventDefault();
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= parseInt(max.value, 10)) { return; }
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var first = rows.lastElementChild ? rows.lastElementChild.querySelector("input, textarea, select") : null;
    if (first) { first.focus(); }
  });

  // The assignment page: "select all" ticks every family checkbox of the page.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-nx-select-all")) { return; }
    var boxes = document.querySelectorAll("input[type=checkbox][name=workers]");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = box.checked; }
  });

  // The completion chart (Apache ECharts, loaded on that page only), fed by a JSON block.
  function drawChart() {
    var el = document.getElementById("nx-chart");
    var source = document.getElementById("nx-chart-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    el.style.height = Math.round(Math.max(320, Math.min(window.innerHeight * 0.6, 520))) + "px";
    var chart = window.echarts.init(el, null, { locale: data.locale, renderer: "svg" });
    var many = data.weeks.length > 26;
    var plotted = completionLines(data);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        formatter: function (params) {
          var lines = [params.length ? params[0].axisValueLabel : ""];
          // one line per organisation: of a split line's two parts, the one with a value
          var bySource = {};
          var order = [];
          params.forEach(function (p) {
            var i = plotted[p.seriesIndex].source;
            if (!(i in bySource)) { order.push(i); bySource[i] = p; }
            else if (bySource[i].value === null || bySource[i].value === undefined) { bySource[i] = p; }
          });
          order.forEach(function (i) {
            var p = bySource[i];
            var s = data.series[i];
            var shown = p.value === null || p.value === undefined ? "—" : p.value + "%";
            lines.push(p.marker + p.seriesName + "  " + shown + "  (" + data.labels.done + " " +
              s.done[p.dataIndex] + " / " + data.labels.owed + " " + s.owed[p.dataIndex] + ")");
          });
          if (params.length && params[0].dataIndex === data.current) { lines[0] += "  (" + data.labels.inProgress + ")"; }
          return lines.join("\n");
        }
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 44, right: 16, top: 40, bottom: many ? 96 : 56, containLabel: true },
      xAxis: { type: "category", data: data.weeks, name: data.labels.xAxis, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", min: 0, max: 100, name: data.labels.yAxis },
      dataZoom: many ? [{ type: "inside", start: 60, end: 100 }, { type: "slider", bottom: 32, start: 60, end: 100 }] : [],
      series: plotted
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Each organisation's line. This week (data.current), still going on, is not a final figure:
  // the line to it is dashed and its point hollow, and the tooltip says how far the week is.
  // One series for the finished weeks and one (same name and colour, so the legend toggles
  // both) for the step into this week; ``source`` is the index in data.series.
  function completionLines(data) {
    var palette = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];
    var showSymbol = data.weeks.length <= 26;
    var current = data.current;
    var out = [];
    data.series.forEach(function (s, i) {
      var colour = palette[i % palette.length];
      var style = { color: colour };
      if (current === null || current === undefined) {
        out.push({ name: s.name, type: "line", data: s.percent, showSymbol: showSymbol, itemStyle: style, lineStyle: style, source: i });
        return;
      }
      var done = s.percent.map(function (v, k) { return k < current ? v : null; });
      var going = s.percent.map(function (v, k) { return k === current || k === current - 1 ? v : null; });
      out.push({ name: s.name, type: "line", data: done, showSymbol: showSymbol, itemStyle: style, lineStyle: style, source: i });
      out.push({
        name: s.name, type: "line", data: going, source: i, showSymbol: true, symbol: "emptyCircle", symbolSize: 8,
        itemStyle: style, lineStyle: { color: colour, type: "dashed" }, connectNulls: false,
        markArea: i === 0 ? { silent: true, itemStyle: { color: "rgba(0, 0, 0, 0.04)" },
          label: { show: true, position: "insideTop", color: "#6c757d", formatter: data.labels.inProgress },
          data: [[{ xAxis: data.weeks[current] }, { xAxis: data.weeks[current] }]] } : undefined
      });
    });
    return out;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();

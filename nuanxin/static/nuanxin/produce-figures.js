// The produce supply's figures page: parcels per week (collected, not collected, waiting:
// stacked bars) and the subsidy (a line on its own axis), drawn from the JSON block
// "nx-produce-data" (Apache ECharts, loaded on that page only). No inline scripts: the CSP.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("nx-produce-data");
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var el = document.getElementById(spec.id);
    if (!el || !spec.categories.length) { return; }
    el.style.height = "320px";
    var chart = window.echarts.init(el, null, { locale: spec.locale, renderer: "svg" });
    var series = spec.bars.map(function (s) {
      return { name: s.name, type: "bar", stack: "parcels", data: s.data };
    });
    series.push({ name: spec.line.name, type: "line", yAxisIndex: 1, data: spec.line.data });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: spec.categories },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

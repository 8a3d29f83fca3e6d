// The commendations' figures page: the charts drawn from the JSON block "nx-honours-data"
// (Apache ECharts, loaded on that page only; horizontal bars so long names fit a phone).
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function draw(spec, locale) {
    var el = document.getElementById(spec.id);
    if (!el || !spec.categories.length) { return; }
    el.style.height = Math.max(180, 44 * spec.categories.length + 70) + "px";
    var chart = window.echarts.init(el, null, { locale: locale, renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: spec.categories, inverse: true,
               axisLabel: { width: 110, overflow: "truncate" } },
      series: spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    var source = document.getElementById("nx-honours-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (spec) { draw(spec, data.locale); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

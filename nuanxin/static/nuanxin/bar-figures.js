// A figures page's horizontal bar chart (Apache ECharts, loaded on that page only; horizontal
// bars fit a phone), drawn from the JSON block the including tag names in data-source:
//   <script src=".../bar-figures.js" data-source="nx-telecom-data"></script>
// The block gives {id: the chart element's id, locale, categories, series: [{name, data}]}.
// Used by the fee waiver's and the labour figures. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  var tag = document.currentScript;
  var sourceId = tag && tag.dataset.source;

  function draw() {
    var source = sourceId && document.getElementById(sourceId);
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var el = document.getElementById(spec.id);
    if (!el || !spec.categories.length) { return; }
    el.style.height = Math.max(180, 52 * spec.categories.length + 70) + "px";
    var chart = window.echarts.init(el, null, { locale: spec.locale, renderer: "svg" });
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

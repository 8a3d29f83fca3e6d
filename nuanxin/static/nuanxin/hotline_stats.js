// The hotline's figures page: every chart drawn from the JSON block "nx-stats-data" (Apache
// ECharts, loaded on that page only). No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function draw(spec, locale) {
    var el = document.getElementById(spec.id);
    if (!el) { return; }
    var many = spec.categories.length > 14;
    var height = spec.horizontal ? Math.max(200, 34 * spec.categories.length + 60) : 280;
    el.style.height = height + "px";
    var chart = window.echarts.init(el, null, { locale: locale, renderer: "svg" });
    var category = { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: spec.series.length > 1 ? { bottom: 0 } : undefined,
      grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? (many ? 72 : 40) : (many ? 48 : 8), containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? Object.assign({}, category, { inverse: true }) : value,
      dataZoom: many && !spec.horizontal ? [{ type: "inside" }, { type: "slider", height: 18, bottom: spec.series.length > 1 ? 28 : 4 }] : [],
      series: spec.series.map(function (s) {
        return s.line
          ? { name: s.name, type: "line", step: "middle", data: s.data, showSymbol: false, lineStyle: { type: "dashed" } }
          : { name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.data, showSymbol: spec.categories.length <= 31 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    var source = document.getElementById("nx-stats-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (spec) { draw(spec, data.locale); });
  }

  // Picking another organisation offers its hotlines: send the form without the old hotline.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "nx-stats-org") {
      var hotline = document.getElementById("nx-stats-hotline");
      if (hotline) { hotline.value = ""; }
      event.target.form.submit();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

// Recuperation's figures page: per batch, the places filled, offered and free (stacked bars)
// and the waiting list (a line), drawn from the JSON block "nx-recup-data" with Apache ECharts
// (loaded on that page only; horizontal bars so batch names fit a phone). No inline scripts:
// the CSP forbids them.
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("nx-recup-chart");
    var source = document.getElementById("nx-recup-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.categories.length) { return; }
    el.style.height = Math.max(200, 48 * data.categories.length + 90) + "px";
    el.style.width = "100%";
    var chart = window.echarts.init(el, null, { locale: data.locale, renderer: "svg" });
    var series = data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "places", data: s.data, emphasis: { focus: "series" } };
    });
    series.push({ name: data.waiting.name, type: "bar", data: data.waiting.data, barGap: "10%" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true,
               axisLabel: { width: 100, overflow: "truncate" } },
      series: series
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

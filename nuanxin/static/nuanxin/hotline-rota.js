// The hotline rota's pages. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // The calendar address: a copy button (shown only with JS and a clipboard), select on focus.
  document.querySelectorAll("[data-nx-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-nx-copy"));
    if (!target) { return; }
    target.addEventListener("focus", function () { target.select(); });
    if (!navigator.clipboard) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = button.getAttribute("data-nx-copied");
      });
    });
  });

  // Hours per counsellor in a month: a horizontal bar chart (Apache ECharts, loaded on that
  // page only), fed by a JSON block; the table under it holds the same figures.
  function drawHours() {
    var el = document.getElementById("nx-hours-chart");
    var source = document.getElementById("nx-hours-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    el.style.height = Math.max(200, 48 + data.names.length * 32) + "px";
    var chart = window.echarts.init(el, null, { locale: data.locale, renderer: "svg" });
    chart.setOption({
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        renderMode: "richText",
        formatter: function (params) {
          var p = params[0];
          return p.name + "\n" + data.labels.hours + " " + p.value + "  " + data.labels.shifts + " " +
            data.shifts[p.dataIndex];
        }
      },
      grid: { left: 8, right: 32, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: data.labels.hours, minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [{ type: "bar", data: data.hours, name: data.labels.hours, label: { show: true, position: "right" },
        itemStyle: { color: "#5470c6" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawHours);
  } else {
    drawHours();
  }
})();

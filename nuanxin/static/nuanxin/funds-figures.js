// The funds' figures page: spending by category stacked per month (bars) and what remained at
// each month's end (a line on its own axis), drawn from the JSON block "nx-figures-data" with
// Apache ECharts (loaded on that page only). No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function yuan(value) {
    return "\u00a5" + Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // Axis labels short enough for a phone: wan / yi (10^4 / 10^8) in Chinese, k / M in English.
  // (ASCII only: the file may be read without a charset.)
  function round(value) {
    return String(parseFloat(value.toFixed(2)));
  }

  function compacter(locale) {
    return function (value) {
      var n = Math.abs(value);
      if (locale === "ZH") {
        if (n >= 100000000) { return round(value / 100000000) + "\u4ebf"; }
        if (n >= 10000) { return round(value / 10000) + "\u4e07"; }
        return String(value);
      }
      if (n >= 1000000) { return round(value / 1000000) + "M"; }
      if (n >= 1000) { return round(value / 1000) + "k"; }
      return String(value);
    };
  }

  function draw() {
    var el = document.getElementById("nx-figures-chart");
    var source = document.getElementById("nx-figures-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var many = data.months.length > 12;
    el.style.height = "320px";
    el.style.width = "100%";
    var chart = window.echarts.init(el, null, { locale: data.locale, renderer: "svg" });
    var compact = compacter(data.locale);
    var series = data.spent.map(function (s) {
      return { name: s.name, type: "bar", stack: "spent", yAxisIndex: 0, data: s.data, emphasis: { focus: "series" } };
    });
    series.push({
      name: data.remaining.name, type: "line", yAxisIndex: 1, data: data.remaining.data,
      showSymbol: data.months.length <= 24, lineStyle: { width: 2 }
    });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: yuan },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 8, top: 28, bottom: many ? 72 : 40, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: data.axis_spent, nameTextStyle: { align: "left" }, axisLabel: { formatter: compact } },
        { type: "value", name: data.axis_remaining, nameTextStyle: { align: "right" }, splitLine: { show: false },
          axisLabel: { formatter: compact } }
      ],
      dataZoom: many ? [{ type: "inside" }, { type: "slider", height: 18, bottom: 28 }] : [],
      series: series
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Picking another organisation shows its figures at once.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "nx-figures-org") {
      event.target.form.submit();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

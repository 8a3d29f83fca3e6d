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
    chart.setOption({
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        formatter: function (params) {
          var lines = [params.length ? params[0].axisValueLabel : ""];
          params.forEach(function (p) {
            var s = data.series[p.seriesIndex];
            var shown = p.value === null || p.value === undefined ? "—" : p.value + "%";
            lines.push(p.marker + p.seriesName + "  " + shown + "  (" + data.labels.done + " " +
              s.done[p.dataIndex] + " / " + data.labels.owed + " " + s.owed[p.dataIndex] + ")");
          });
          return lines.join("\n");
        }
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 44, right: 16, top: 40, bottom: many ? 96 : 56, containLabel: true },
      xAxis: { type: "category", data: data.weeks, name: data.labels.xAxis, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", min: 0, max: 100, name: data.labels.yAxis },
      dataZoom: many ? [{ type: "inside", start: 60, end: 100 }, { type: "slider", bottom: 32, start: 60, end: 100 }] : [],
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.percent, showSymbol: data.weeks.length <= 26 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();

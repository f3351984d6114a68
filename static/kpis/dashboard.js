/* Draws the dashboard's charts with Chart.js (served locally from the django-chartjs package). */
(function () {
  "use strict";
  var COLORS = ["#2f6fb3", "#e0823d", "#3a9b5c", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4ac0d", "#16a085"];

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function lineChart(canvas, months, series) {
    return new Chart(canvas.getContext("2d"), {
      type: "line",
      data: {
        labels: months,
        datasets: series.map(function (s, i) {
          return { label: s.label, data: s.data, borderColor: COLORS[i], backgroundColor: COLORS[i],
                   fill: false, spanGaps: true, lineTension: 0.2, pointRadius: 3 };
        })
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 legend: { display: series.length > 1, position: "bottom" },
                 scales: { yAxes: [{ ticks: { beginAtZero: false } }] } }
    });
  }

  function barChart(canvas, labels, values, label, horizontal) {
    return new Chart(canvas.getContext("2d"), {
      type: horizontal ? "horizontalBar" : "bar",
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: COLORS[0] }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, legend: { display: false },
                 scales: { xAxes: [{ ticks: { beginAtZero: true, precision: 0 } }],
                           yAxes: [{ ticks: { beginAtZero: true, precision: 0 } }] } }
    });
  }

  function doughnut(canvas, labels, values) {
    return new Chart(canvas.getContext("2d"), {
      type: "doughnut",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: COLORS.slice(0, values.length) }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, legend: { position: "right" } }
    });
  }

  ready(function () {
    var node = document.getElementById("kpi-chart-data");
    if (!node || typeof Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    window.kpiCharts = [];
    data.trend.charts.forEach(function (chart) {
      var canvas = document.getElementById("chart-" + chart.key);
      if (canvas) { window.kpiCharts.push(lineChart(canvas, data.trend.months, chart.series)); }
    });
    var cat = document.getElementById("chart-complaints-category");
    if (cat) {
      window.kpiCharts.push(barChart(cat, data.complaints_by_category.map(function (r) { return r.name; }),
        data.complaints_by_category.map(function (r) { return r.count; }), data.labels.complaints, true));
    }
    var grade = document.getElementById("chart-complaints-grade");
    if (grade) {
      window.kpiCharts.push(barChart(grade, data.complaints_by_grade.map(function (r) { return r.name; }),
        data.complaints_by_grade.map(function (r) { return r.count; }), data.labels.complaints, false));
    }
    var tiers = document.getElementById("chart-tiers");
    if (tiers) {
      // In tier order (normal → diamond): the stored JSON object does not keep its key order.
      var names = Object.keys(data.tier_labels).filter(function (k) { return k in data.tiers; });
      if (!names.length) { names = Object.keys(data.tiers); }
      window.kpiCharts.push(doughnut(tiers, names.map(function (k) { return data.tier_labels[k] || k; }),
        names.map(function (k) { return data.tiers[k]; })));
    }
    document.getElementById("kpi-dashboard").setAttribute("data-charts-drawn", String(window.kpiCharts.length));
  });

  // The print button (no inline onclick: the Content-Security-Policy forbids inline handlers).
  ready(function () {
    document.querySelectorAll("[data-kpi-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });

  // Charts keep their size when printed.
  window.addEventListener("beforeprint", function () {
    (window.kpiCharts || []).forEach(function (c) { c.resize(); });
  });
})();

// A plot screen opened directly: Plotly.js (4.8 MB) starts loading now, beside the
// app's modules, instead of after them. ui.js loadPlotly() picks this element up.
if (/^#\/runs\/\d+/.test(location.hash)) {
  const plotly = document.createElement("script");
  plotly.id = "plotly-js";
  plotly.src = "/vendor/plotly.min.js";
  plotly.onerror = () => plotly.remove();
  document.head.append(plotly);
}

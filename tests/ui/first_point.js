// Where Plotly drew the first point of the projection's first trace, in page coordinates.
// An expression, so Playwright (tests/ui/test_browser.py) and Puppeteer (firefox/journey.mjs)
// both evaluate it as it stands.
(() => {
  const plot = document.getElementById("projection");
  const { xaxis, yaxis } = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  const trace = plot.data[0];
  return [box.left + xaxis._offset + xaxis.l2p(trace.x[0]),
    box.top + yaxis._offset + yaxis.l2p(trace.y[0])];
})()

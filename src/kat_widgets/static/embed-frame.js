/* Inside an iframe: report our height and widget events to the parent page.
   Messages carry no personal data, so any parent may read them. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var widget = document.body.getAttribute("data-kat-widget-page") || "";
  function post(type, extra) {
    var message = { type: type, widget: widget };
    for (var key in extra || {}) message[key] = extra[key];
    window.parent.postMessage(message, "*");
  }
  function height() {
    post("kat:resize", { height: Math.ceil(document.documentElement.scrollHeight) });
  }
  if (window.ResizeObserver) new ResizeObserver(height).observe(document.body);
  window.addEventListener("load", height);
  height();
  var events = document.querySelectorAll("[data-kat-event]");
  for (var i = 0; i < events.length; i++) post("kat:" + events[i].getAttribute("data-kat-event"));
})();

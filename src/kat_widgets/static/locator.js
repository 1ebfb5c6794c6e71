/* kat-widgets locator: "Use my location" as a progressive enhancement.
   Fills coarse lat/lon fields (about 1 km) and submits the form to our own endpoint; the location
   goes nowhere else. Without JavaScript or geolocation the form works as a plain GET form. */
(function () {
  "use strict";

  function setField(form, name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function enhance(form) {
    if (form.getAttribute("data-kat-geo-ready") || !("geolocation" in navigator)) {
      return;
    }
    var slot = form.querySelector("[data-kat-locator-geo]");
    var status = form.querySelector("[data-kat-locator-status]");
    if (!slot || !status) {
      return;
    }
    form.setAttribute("data-kat-geo-ready", "1");
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Use my location";
    button.addEventListener("click", function () {
      status.textContent = "Finding your location\u2026";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          setField(form, "lat", position.coords.latitude.toFixed(2));
          setField(form, "lon", position.coords.longitude.toFixed(2));
          var text = form.querySelector('input[name="q"]');
          if (text) {
            text.value = "";
          }
          status.textContent = "Searching near your location\u2026";
          // requestSubmit fires "submit" (embed.js loads the answer in place); submit() does not
          if (form.requestSubmit) form.requestSubmit();
          else form.submit();
        },
        function (error) {
          status.textContent = error.code === 1
            ? "Location permission was not given. Type a ZIP code or a city instead."
            : "Your location is not available. Type a ZIP code or a city instead.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
    slot.appendChild(button);
  }

  window.KatLocator = { enhance: enhance }; // embed.js enhances forms in its shadow roots

  function init() {
    var forms = document.querySelectorAll("form[data-kat-locator]");
    for (var i = 0; i < forms.length; i += 1) {
      enhance(forms[i]);
    }
    // after a search the page opens at the results (the form's action ends in their id):
    // move focus there too, so the next Tab is the first result, not the top of the page
    var results = document.getElementById("kat-locator-results");
    if (results && window.location.hash === "#kat-locator-results") {
      results.focus({ preventScroll: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

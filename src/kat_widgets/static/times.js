/* kat-widgets: the visitor's own time beside the clinic's, as a progressive enhancement.
   The times stay in the clinic's zone (that is where the visit is); when the browser's zone
   gives a different clock time, each time also says the visitor's, and a note says why. The
   browser's zone is read here and never sent anywhere or stored. */
(function () {
  "use strict";

  function parts(zone) {
    return { timeZone: zone, weekday: "short", hour: "numeric", minute: "2-digit" };
  }

  function zoneName(zone) {
    try {
      var found = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "long" })
        .formatToParts(new Date())
        .filter(function (part) { return part.type === "timeZoneName"; })[0];
      return found ? found.value : zone;
    } catch (e) {
      return zone;
    }
  }

  function enhance(root) {
    var visitor;
    try {
      visitor = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    var notes = root.querySelectorAll("[data-kat-zone]");
    for (var i = 0; i < notes.length; i++) {
      var note = notes[i];
      if (note.getAttribute("data-kat-zone-done")) continue;
      note.setAttribute("data-kat-zone-done", "1");
      var zone = note.getAttribute("data-kat-zone");
      if (!visitor || visitor === zone) continue;
      var scope = note.closest(".kat-widget") || root;
      var times = scope.querySelectorAll("[data-kat-start]");
      var clinic, mine;
      try {
        clinic = new Intl.DateTimeFormat("en-US", parts(zone));
        mine = new Intl.DateTimeFormat("en-US", parts(visitor));
      } catch (e) {
        continue; /* a zone this browser does not know: keep the clinic's times only */
      }
      var differs = false;
      for (var j = 0; j < times.length; j++) {
        var when = new Date(times[j].getAttribute("data-kat-start"));
        if (clinic.format(when) !== mine.format(when)) { differs = true; break; }
      }
      if (!differs) continue;
      var said = document.createElement("span");
      said.className = "kat-your-zone";
      said.textContent = " Your device is set to " + zoneName(visitor) +
        ", so each time also shows your time.";
      note.appendChild(said);
      for (var k = 0; k < times.length; k++) {
        var start = new Date(times[k].getAttribute("data-kat-start"));
        var yours = mine.format(start);
        var same = clinic.format(start).split(" ")[0] === yours.split(" ")[0];
        var extra = document.createElement("span");
        extra.className = "kat-your-time";
        /* the weekday only when the visitor's day is another one */
        var text = (same ? yours.replace(/^\S+\s/, "") : yours) + " your time";
        /* a second line under a time button; in a sentence, in brackets */
        extra.textContent = times[k].classList.contains("kat-time") ? text : " (" + text + ")";
        times[k].appendChild(extra);
      }
    }
  }

  window.KatTimes = { enhance: enhance };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();

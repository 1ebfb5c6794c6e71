/* kat-widgets loader. Hosts add <div data-kat-widget="locator" data-clinic="draper"></div>
   (its content is the no-script fallback, e.g. a plain link) and this script. Each widget is
   fetched from the server this script came from and rendered in a Shadow DOM root; forms and
   widget links then work in place. No dependencies, no cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/\/embed\.js(\?.*)?$/, "");
  var prefix = base + "/fragments/";
  var STYLES = ["widgets.css", "crisis.css"]; /* = kat_widgets.fragments.widgets.STYLESHEETS */
  var LANGUAGES = { en: "English", es: "Español" }; /* = kat_widgets.i18n.AUTONYMS */
  var ENGLISH = {
    back: "Back",
    backToResults: "Back to results",
    failed: "Sorry, this could not be sent. Please try again in a moment, or call us."
  }; /* = kat_widgets.fragments.renderer.EMBED_WORDS, the server sends them translated */

  function snake(name) {
    return name.replace(/[A-Z]/g, function (c) { return "_" + c.toLowerCase(); });
  }

  function query(el) {
    var params = new URLSearchParams();
    /* data-kat-* attributes are for this script; every other data-* is the widget's */
    for (var key in el.dataset) if (!/^kat/.test(key)) params.set(snake(key), el.dataset[key]);
    return params.toString();
  }

  /* What this script says around a widget, in the widget's language (the server's words). */
  function words(root) {
    var holder = root.querySelector("[data-kat-words]");
    try {
      return (holder && JSON.parse(holder.getAttribute("data-kat-words"))) || ENGLISH;
    } catch (e) {
      return ENGLISH;
    }
  }

  function withLang(url, lang) {
    var parsed = new URL(url);
    parsed.searchParams.set("lang", lang);
    return parsed.toString();
  }

  /* "Español" / "English" above the widget: the same view in the other language. Shown for a
     view a GET can show again (not the answer to a form sent), unless the host says
     data-kat-languages="off" (it has a switch of its own and sets data-lang). */
  function languageSwitch(host, root, shownByGet) {
    var widget = root.querySelector(".kat-widget[lang]");
    if (!widget || !shownByGet || host.getAttribute("data-kat-languages") === "off") return;
    var current = widget.getAttribute("lang");
    /* a paragraph, not a nav: several widgets on one page would repeat one landmark's name */
    var nav = document.createElement("p");
    nav.className = "kat-languages kat-embed-languages";
    for (var code in LANGUAGES) {
      if (code === current) continue;
      var link = document.createElement("a");
      link.href = withLang(host.__katUrl, code);
      link.hreflang = code;
      link.lang = code;
      link.textContent = LANGUAGES[code];
      nav.appendChild(link);
    }
    root.querySelector(".kat-widget-root").prepend(nav);
  }

  function announce(host, root) {
    var found = root.querySelectorAll("[data-kat-event]");
    for (var i = 0; i < found.length; i++) {
      var name = found[i].getAttribute("data-kat-event");
      host.dispatchEvent(new CustomEvent("kat:" + name, { bubbles: true, composed: true }));
      if (name === "booking-created") refresh(host);
    }
  }

  /* A time was just booked: other open-times widgets on the page reload so they stop offering it. */
  function refresh(except) {
    var hosts = document.querySelectorAll("[data-kat-widget]");
    for (var i = 0; i < hosts.length; i++) {
      var url = hosts[i].__katUrl;
      if (hosts[i] !== except && url && url.indexOf(prefix + "availability") === 0) {
        load(hosts[i], url)["catch"](function () { /* keep what is shown */ });
      }
    }
  }

  /* One "Get help now" chip per page, however many widgets: the first widget keeps its chip,
     and none is needed when the page shows the crisis banner itself. */
  function oneChip() {
    var hosts = document.querySelectorAll("[data-kat-widget]");
    var shown = false;
    for (var i = 0; i < hosts.length; i++) {
      if (hosts[i].getAttribute("data-kat-widget") === "crisis-banner") shown = true;
    }
    for (var j = 0; j < hosts.length; j++) {
      var root = hosts[j].shadowRoot;
      if (!root) continue;
      var chips = root.querySelectorAll(".kat-crisis--link");
      for (var k = 0; k < chips.length; k++) {
        if (shown) chips[k].setAttribute("hidden", "");
        else { chips[k].removeAttribute("hidden"); shown = true; }
      }
    }
  }

  /* One of our scripts, loaded once into the page, then ready() (at once if already there). */
  function withScript(name, loaded, ready) {
    if (loaded()) return ready();
    var tag = document.querySelector('script[data-kat-' + name + '-js]');
    if (!tag) {
      tag = document.createElement("script");
      tag.src = base + "/static/" + name + ".js";
      tag.setAttribute("data-kat-" + name + "-js", "");
      document.head.appendChild(tag);
    }
    tag.addEventListener("load", ready);
  }

  /* "Use my location" (locator.js) for locator forms in a root. */
  function geo(root) {
    var forms = root.querySelectorAll("form[data-kat-locator]");
    if (!forms.length) return;
    withScript("locator", function () { return window.KatLocator; }, function () {
      for (var i = 0; i < forms.length; i++) window.KatLocator.enhance(forms[i]);
    });
  }

  /* The visitor's own time beside the clinic's (times.js). */
  function times(root) {
    if (!root.querySelector("[data-kat-zone]")) return;
    withScript("times", function () { return window.KatTimes; }, function () {
      window.KatTimes.enhance(root);
    });
  }

  /* After following a result (a link or form inside the widget), a "Back" button returns to
     what the widget showed before: the widget keeps its own small history. */
  function backButton(host, root) {
    var history = host.__katHistory || [];
    if (!history.length) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kat-button kat-button-secondary kat-embed-back";
    button.textContent = words(root)[history[history.length - 1].label] || ENGLISH.back;
    button.addEventListener("click", function () {
      var previous = history.pop();
      load(host, previous.url, null, true, true)["catch"](failed(root));
    });
    root.querySelector(".kat-widget-root").prepend(button);
  }

  /* The first match of the first selector that matches (an alert, then results, then a title). */
  function first(root, selectors) {
    for (var i = 0; i < selectors.length; i++) {
      var found = root.querySelector(selectors[i]);
      if (found) return found;
    }
    return null;
  }

  function widgetOf(url) {
    return url.indexOf(prefix) === 0 ? url.slice(prefix.length).split(/[?#\/]/)[0] : url;
  }

  function load(host, url, init, focus, back) {
    init = init || {};
    var was = host.__katUrl;
    if (focus && !back && was && widgetOf(was) !== widgetOf(url)) {
      var label = was.indexOf(prefix + "locator") === 0 ? "backToResults" : "back";
      (host.__katHistory = host.__katHistory || []).push({ url: was, label: label });
    }
    if (!init.method) host.__katUrl = url;
    init.credentials = "omit";
    init.headers = { Accept: "text/html" };
    var ready = styled(host); /* loads while the fragment is fetched */
    return fetch(url, init).then(function (response) {
      return response.text().then(function (html) {
        if (!response.ok && !/^\s*</.test(html)) {
          var failure = new Error(response.status);
          try { failure.detail = JSON.parse(html).detail; } catch (e) { /* not JSON */ }
          throw failure;
        }
        return ready.then(function () { return html; });
      });
    }).then(function (html) {
      var root = host.shadowRoot;
      root.querySelector(".kat-widget-root").innerHTML = html;
      absolute(root);
      if (!host.__katWired) wire(host, root);
      backButton(host, root);
      languageSwitch(host, root, !init.method);
      geo(root);
      times(root);
      oneChip();
      if (focus) {
        var target = first(root, ["[role=alert]", "#kat-locator-results", "h1, h2, h3"]);
        if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      }
      announce(host, root);
    });
  }

  /* The shadow root, once: our sheets and a holder (the host's fallback in a slot until replaced).
     Resolves when the sheets loaded (or failed), so a widget never flashes unstyled. */
  function styled(host) {
    if (host.__katStyled) return host.__katStyled;
    var root = host.shadowRoot || host.attachShadow({ mode: "open" });
    var sheets = STYLES.map(function (sheet) {
      return new Promise(function (done) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = base + "/static/" + sheet;
        link.onload = link.onerror = function () { done(); };
        root.appendChild(link);
      });
    });
    var holder = document.createElement("div");
    holder.className = "kat-widget-root";
    holder.appendChild(document.createElement("slot"));
    root.appendChild(holder);
    host.__katStyled = Promise.all(sheets);
    return host.__katStyled;
  }

  /* Fragment links are root-relative ("/fragments/...", "/calendars/..."): in a shadow root they
     would resolve against the host page, so point them at the widget server. */
  function absolute(root) {
    var origin = new URL(base).origin;
    var nodes = root.querySelectorAll("a[href], form[action]");
    for (var i = 0; i < nodes.length; i++) {
      var attr = nodes[i].hasAttribute("href") ? "href" : "action";
      var value = nodes[i].getAttribute(attr);
      if (/^\/(?!\/)/.test(value)) nodes[i].setAttribute(attr, origin + value);
    }
  }

  /* A form or link that could not load says so inside the widget instead of doing nothing. */
  function failed(root) {
    return function (error) {
      var note = root.querySelector(".kat-embed-error");
      if (!note) {
        note = document.createElement("p");
        note.className = "kat-embed-error";
        note.setAttribute("role", "alert");
        note.tabIndex = -1;
        root.querySelector(".kat-widget-root").prepend(note);
      }
      note.textContent = (error && error.detail) || words(root).failed;
      note.focus();
    };
  }

  function wire(host, root) {
    host.__katWired = true;
    root.addEventListener("submit", function (event) {
      var form = event.target;
      var data = new URLSearchParams(new FormData(form, event.submitter));
      var action = form.action.split("#")[0];
      if (action.indexOf(base + "/") !== 0) return;
      event.preventDefault();
      var loading = (form.method || "get").toLowerCase() === "get"
        ? load(host, action.split("?")[0] + "?" + data.toString(), null, true)
        : load(host, action, { method: "POST", body: data }, true);
      loading["catch"](failed(root));
    });
    root.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.href.indexOf(prefix) !== 0 || link.hasAttribute("download")) return;
      event.preventDefault();
      load(host, link.href, null, true)["catch"](failed(root));
    });
  }

  function start() {
    var hosts = document.querySelectorAll("[data-kat-widget]");
    for (var i = 0; i < hosts.length; i++) {
      var host = hosts[i];
      if (host.__katStarted) continue;
      host.__katStarted = true;
      var name = host.getAttribute("data-kat-widget");
      if (!/^[a-z-]+$/.test(name)) continue;
      load(host, prefix + name + "?" + query(host))["catch"](function () { /* keep fallback */ });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

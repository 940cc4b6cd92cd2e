// agentel ui: the only script.
// 1. Submitting a filter drops empty fields so URLs stay short.
// 2. Live pages: the page is re-requested every second with the data version it was rendered from
//    (If-None-Match); 304 means nothing changed, 200 brings the new <main>. The header's "live"
//    badge says whether the server answers. A page with a form being filled in is left alone.
(function () {
  function bindFilters(root) {
    root.querySelectorAll("form.filters").forEach(function (f) {
      f.addEventListener("submit", function () {
        f.querySelectorAll("input, select").forEach(function (el) { if (!el.value) el.disabled = true; });
      });
    });
  }
  bindFilters(document);

  var meta = document.querySelector('meta[name="agentel-version"]');
  var badge = document.getElementById("live");
  if (!meta || !badge || !window.fetch || !window.DOMParser) {
    if (badge) badge.hidden = true;
    return;
  }
  var etag = '"' + meta.getAttribute("content") + '"';
  badge.classList.add("on");

  function editing() {
    var a = document.activeElement;
    if (a && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.closest("main")) return true;
    var fields = document.querySelectorAll("main input, main textarea");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if (el.type === "hidden") continue;
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked !== el.defaultChecked : el.value !== el.defaultValue) return true;
    }
    return false;
  }

  function tick() {
    if (document.hidden || editing()) { setTimeout(tick, 1000); return; }
    fetch(location.href, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        badge.classList.remove("off");
        badge.classList.add("on");
        badge.textContent = "live";
        if (r.status !== 200) return null;
        etag = r.headers.get("ETag") || etag;
        return r.text();
      })
      .then(function (html) {
        if (!html || editing()) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main");
        var old = document.querySelector("main");
        if (fresh && old) {
          old.replaceWith(fresh);
          bindFilters(fresh);
          badge.setAttribute("data-updated", String(Date.now()));
        }
      })
      .catch(function () {
        badge.classList.remove("on");
        badge.classList.add("off");
        badge.textContent = "offline";
      })
      .then(function () { setTimeout(tick, 1000); });
  }
  setTimeout(tick, 1000);
})();

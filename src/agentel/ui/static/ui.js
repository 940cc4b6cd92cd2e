// agentel ui: the only script. Submitting a filter drops empty fields so URLs stay short.
document.querySelectorAll("form.filters").forEach(function (f) {
  f.addEventListener("submit", function () {
    f.querySelectorAll("input, select").forEach(function (el) { if (!el.value) el.disabled = true; });
  });
});

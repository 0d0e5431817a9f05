(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("programme-data").textContent);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-index]"));
  var counter = document.getElementById("filter-count");

  var storeKey = "side-events:" + data.meeting + ":starred";
  var starred = load();

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(saved) ? saved.filter(function (id) { return typeof id === "string"; }) : [];
    } catch (error) { return []; }
  }

  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(starred)); } catch (error) { /* private mode */ }
  }

  function feedBase() {
    if (data.base) { return data.base; }
    if (location.protocol === "http:" || location.protocol === "https:") { return new URL(".", location.href).href; }
    return null;
  }

  function showStars() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-star]"), function (button) {
      var on = starred.indexOf(button.getAttribute("data-star")) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "\u2605" : "\u2606";
      button.title = on ? "Remove from my programme" : "Add to my programme";
    });
    var panel = document.getElementById("my-programme");
    if (!panel) { return; }
    panel.hidden = false;
    var known = data.events.map(function (event) { return event.id; });
    var chosen = known.filter(function (id) { return starred.indexOf(id) >= 0; });
    document.getElementById("starred-count").textContent = chosen.length === 0 ? "No event starred yet" :
      chosen.length + (chosen.length === 1 ? " event starred" : " events starred");
    var base = feedBase();
    var url = base && chosen.length ? new URL(data.select, base).href + "?events=" +
      chosen.map(encodeURIComponent).join(",") : "";
    document.getElementById("my-subscribe").hidden = !url;
    document.getElementById("my-unserved").hidden = Boolean(base) || chosen.length === 0;
    document.getElementById("my-url").value = url;
    document.getElementById("my-copy").setAttribute("data-copy", url);
    document.getElementById("my-webcal").href = url ? url.replace(/^https?:/, "webcal:") : "";
  }

  function matches(event, wanted) {
    return (!wanted.starred || starred.indexOf(event.id) >= 0) &&
      (!wanted.topic || event.topics.indexOf(wanted.topic) >= 0) &&
      (!wanted.organizer || event.organizer === wanted.organizer) &&
      (!wanted.format || event.format === wanted.format) &&
      (!wanted.room || event.room === wanted.room);
  }

  function apply() {
    var wanted = {};
    selects.forEach(function (select) {
      if (select.value) { wanted[select.getAttribute("data-filter")] = select.value; }
    });
    var shown = 0;
    items.forEach(function (item) {
      var event = data.events[Number(item.getAttribute("data-index"))];
      var visible = Boolean(event) && matches(event, wanted);
      item.hidden = !visible;
      if (visible) { shown += 1; }
    });
    Array.prototype.forEach.call(document.querySelectorAll("td.block"), function (cell) {
      cell.classList.toggle("filtered-out", cell.querySelector("[data-index]:not([hidden])") === null);
    });
    Array.prototype.forEach.call(document.querySelectorAll("section.day"), function (day) {
      var none = day.querySelector("[data-index]:not([hidden])") === null;
      day.classList.toggle("filtered-out", none && day.querySelector("[data-index]") !== null);
    });
    counter.textContent = shown === data.events.length ? "" : shown + " of " + data.events.length + " events shown";
  }

  selects.forEach(function (select) { select.addEventListener("change", apply); });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-star]"), function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-star");
      var at = starred.indexOf(id);
      if (at >= 0) { starred.splice(at, 1); } else { starred.push(id); }
      save();
      showStars();
      apply();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { select(button); });
      } else { select(button); }
    });
  });

  function select(button) {
    var field = button.previousElementSibling;
    if (field && field.select) { field.select(); }
  }
  document.getElementById("filter-reset").addEventListener("click", function () {
    selects.forEach(function (select) { select.value = ""; });
    apply();
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.event-details"), function (d) { d.open = true; });
  });
  document.documentElement.classList.add("js");
  showStars();
  apply();
})();

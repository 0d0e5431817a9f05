(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("programme-data").textContent);
  var root = document.documentElement;
  var controls = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-index]"));
  var counter = document.getElementById("filter-count");
  var viewSwitch = document.getElementById("view-switch");
  var storeKey = "side-events:" + data.meeting + ":starred";
  var starred = load();

  function each(selector, action, within) {
    Array.prototype.forEach.call((within || document).querySelectorAll(selector), action);
  }

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(saved) ? saved.filter(function (id) { return typeof id === "string"; }) : [];
    } catch (error) { return []; }
  }

  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(starred)); } catch (error) { /* private mode */ }
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function feedBase() {
    if (data.base) { return data.base; }
    if (location.protocol === "http:" || location.protocol === "https:") { return new URL(".", location.href).href; }
    return null;
  }

  function showStars() {
    each("button[data-star]", function (button) {
      var on = starred.indexOf(button.getAttribute("data-star")) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "\u2605" : "\u2606";
      button.title = on ? "Remove from my programme" : "Add to my programme";
    });
    var panel = document.getElementById("my-programme");
    if (!panel) { return; }
    panel.hidden = false;
    var chosen = data.events.map(function (event) { return event.id; })
      .filter(function (id) { return starred.indexOf(id) >= 0; });
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

  function wantedNow() {
    var wanted = {};
    controls.forEach(function (control) {
      var value = control.value.trim();
      if (value) { wanted[control.getAttribute("data-filter")] = value; }
    });
    return wanted;
  }

  function matches(event, wanted) {
    return (!wanted.starred || starred.indexOf(event.id) >= 0) &&
      (!wanted.q || fold(event.text).indexOf(fold(wanted.q)) >= 0) &&
      (!wanted.day || event.day === wanted.day) &&
      (!wanted.topic || event.topics.indexOf(wanted.topic) >= 0) &&
      (!wanted.organizer || event.organizer === wanted.organizer) &&
      (!wanted.speaker || event.speakers.indexOf(wanted.speaker) >= 0) &&
      (!wanted.format || event.format === wanted.format) &&
      (!wanted.room || event.room === wanted.room);
  }

  function fitGrid(table, filtering) {
    var columns = {};
    each("td.block", function (cell) {
      var visible = cell.querySelector("[data-index]:not([hidden])") !== null;
      cell.classList.toggle("filtered-out", !visible);
      if (visible) { columns[cell.getAttribute("data-col")] = true; }
    }, table);
    each("[data-col]", function (cell) {
      cell.classList.toggle("col-hidden", filtering && !columns[cell.getAttribute("data-col")]);
    }, table);
    each("tbody tr", function (row) {
      row.classList.toggle("row-hidden", filtering && row.querySelector("td.block:not(.filtered-out)") === null);
    }, table);
    table.parentNode.classList.toggle("empty-grid", Object.keys(columns).length === 0);
  }

  function remember(wanted) {
    var params = new URLSearchParams();
    Object.keys(wanted).sort().forEach(function (key) { params.set(key, wanted[key]); });
    if (viewSwitch.value !== defaultView()) { params.set("view", viewSwitch.value); }
    var query = params.toString();
    try {
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (error) { /* a page opened from disk may not rewrite its address */ }
  }

  function defaultView() { return root.classList.contains("agenda-first") ? "agenda" : "grid"; }

  function apply() {
    var wanted = wantedNow();
    var filtering = Object.keys(wanted).length > 0;
    var shown = {};
    items.forEach(function (item) {
      var index = Number(item.getAttribute("data-index"));
      var event = data.events[index];
      var visible = Boolean(event) && matches(event, wanted);
      item.hidden = !visible;
      if (visible) { shown[index] = true; }
    });
    root.classList.toggle("filtering", filtering);
    root.classList.toggle("view-agenda", viewSwitch.value === "agenda");
    each("table.grid", function (table) { fitGrid(table, filtering); });
    each("section.day", function (day) {
      var own = day.querySelector("[data-index]") !== null;
      var none = day.querySelector("[data-index]:not([hidden])") === null;
      day.hidden = Boolean(wanted.day) && day.getAttribute("data-day") !== wanted.day;
      day.classList.toggle("filtered-out", none && own);
    });
    var count = Object.keys(shown).length;
    counter.textContent = count === data.events.length ? "" : count + " of " + data.events.length + " events shown";
    remember(wanted);
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    controls.forEach(function (control) {
      var value = params.get(control.getAttribute("data-filter"));
      if (value === null) { return; }
      if (control.tagName === "SELECT" && !Array.prototype.some.call(control.options, function (option) {
        return option.value === value;
      })) { return; }
      control.value = value;
    });
    var view = params.get("view");
    viewSwitch.value = view === "agenda" || view === "grid" ? view : defaultView();
  }

  controls.forEach(function (control) {
    control.addEventListener(control.tagName === "INPUT" ? "input" : "change", apply);
  });
  viewSwitch.addEventListener("change", apply);
  each("button[data-star]", function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-star");
      var at = starred.indexOf(id);
      if (at >= 0) { starred.splice(at, 1); } else { starred.push(id); }
      save();
      showStars();
      apply();
    });
  });
  each("button.copy", function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var field = button.previousElementSibling;
      var done = function () { button.textContent = "Copied"; };
      var fallback = function () { if (field && field.select) { field.select(); } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else { fallback(); }
    });
  });
  document.getElementById("filter-reset").addEventListener("click", function () {
    controls.forEach(function (control) { control.value = ""; });
    apply();
  });
  window.addEventListener("beforeprint", function () {
    each("details.event-details", function (d) { d.open = true; });
  });
  root.classList.add("js");
  restore();
  showStars();
  apply();
})();

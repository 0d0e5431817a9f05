(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("programme-data").textContent);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-index]"));
  var counter = document.getElementById("filter-count");

  function matches(event, wanted) {
    return (!wanted.topic || event.topics.indexOf(wanted.topic) >= 0) &&
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
  document.getElementById("filter-reset").addEventListener("click", function () {
    selects.forEach(function (select) { select.value = ""; });
    apply();
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.event-details"), function (d) { d.open = true; });
  });
  document.documentElement.classList.add("js");
  apply();
})();

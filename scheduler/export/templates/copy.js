(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = button.previousElementSibling;
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(done, function () { field.select(); });
      } else if (field && field.select) { field.select(); }
    });
  });
})();

/* Says at once when a chosen file is too large, before a phone on a weak connection spends
 * minutes sending it. The server checks again (and keeps what was typed if it refuses). */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    function check() {
      var file = input.files && input.files[0];
      var tooLarge = file && file.size > Number(input.getAttribute("data-max-bytes"));
      input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
      return !tooLarge;
    }
    input.addEventListener("change", function () { if (!check()) { input.reportValidity(); } });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); input.reportValidity(); }
      });
    }
  });
})();

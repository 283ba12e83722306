/* pylti1p3's cookie check, without inline script (the CSP forbids it).
 *
 * The LTI login page, inside the platform's frame, tries a test cookie with the attributes of the
 * LTI session's cookie (SameSite=None; Secure; Partitioned). If the browser keeps it, the login
 * goes on in the frame; if it refuses it (third-party cookies blocked), the page offers to open
 * the course in a new window, where the login starts again top-level.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-lti-cookie-check]");
  if (!box) { return; }
  var next = box.getAttribute("data-continue");
  var name = "lti1p3_test_cookie";

  function cookiesWork() {
    var attributes = "; path=/" + (window.isSecureContext ? "; SameSite=None; Secure; Partitioned" : "");
    try {
      document.cookie = name + "=1" + attributes;
      var kept = document.cookie.indexOf(name + "=1") !== -1;
      document.cookie = name + "=; max-age=0" + attributes;
      return kept;
    } catch (error) {
      return false;  // a sandboxed frame: no cookies at all
    }
  }

  function show(selector) {
    box.querySelector("[data-lti-checking]").hidden = true;
    box.querySelector(selector).hidden = false;
  }

  if (cookiesWork()) {
    window.location.replace(next);
    return;
  }
  var framed = window.self !== window.top;
  show(framed ? "[data-lti-blocked]" : "[data-lti-no-cookies]");
  var link = box.querySelector("[data-lti-new-window]");
  link.addEventListener("click", function () {
    box.querySelector("[data-lti-opened]").hidden = false;
  });
})();

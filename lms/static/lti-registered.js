// LTI Dynamic Registration, last step: tell the platform that opened this page (in a window or a
// frame) that the registration is done, so that it closes the page (the spec's close message).
(function () {
  "use strict";
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target && document.getElementById("lti-registered")) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();

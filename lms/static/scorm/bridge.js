/* The SCORM runtime inside the sandboxed frame of a scorm lesson.
 *
 * The LMS serves each HTML file of the package with three scripts put first in its <head>:
 * scorm-again's runtime (scorm12.min.js or scorm2004.min.js), the learner's saved CMI data (a JSON
 * island, #lms-scorm-state) and this file. So the package finds window.API (SCORM 1.2) or
 * window.API_1484_11 (SCORM 2004) in its own window, already holding the place, suspend data,
 * status and score of the attempt: a resumed package reads them synchronously, as it expects.
 *
 * The frame has an opaque origin (sandbox without allow-same-origin): it can read neither the
 * LMS's cookies nor its pages, nor the CSRF token. So commits do not go to the LMS from here:
 * each one is posted to the lesson page (window.parent), which keeps it on the device and sends
 * it to the LMS, retrying until it is saved (lms/static/scorm/player.js). Commit answers "true"
 * once the lesson page has it.
 */
(function () {
  "use strict";
  var island = document.getElementById("lms-scorm-state");
  if (!island) {
    return;
  }
  var state = JSON.parse(island.textContent);
  var sequence = 0;

  function post(params, terminate) {
    sequence += 1;
    window.parent.postMessage(
      {
        type: "lms-scorm-commit",
        session: state.session,
        sequence: sequence,
        terminate: !!terminate,
        cmi: params && params.cmi ? params.cmi : params
      },
      state.origin
    );
  }

  // scorm-again's transport interface (settings.httpService): called for every commit.
  var transport = {
    reportsRequestCompletion: false,
    processHttpRequest: function (url, params, immediate) {
      try {
        post(params, immediate);
      } catch (error) {
        return { result: "false", errorCode: 391 };
      }
      return { result: "true", errorCode: 0 };
    },
    updateSettings: function () {}
  };

  var settings = {
    lmsCommitUrl: "lms-scorm-commit",
    httpService: transport,
    // a value set is committed within 30 s even if the package never calls Commit
    autocommit: true,
    autocommitSeconds: 30,
    sendFullCommit: true,
    logLevel: 5
  };
  var api;
  if (state.version === "1.2") {
    api = new window.Scorm12API(settings);
    window.API = api;
  } else {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
  }
  api.loadFromJSON(state.cmi, "");
  // A package that never calls Terminate loses nothing when the learner leaves the page.
  window.addEventListener("pagehide", function () {
    if (api.isInitialized && api.isInitialized() && !api.isTerminated()) {
      post(api.renderCommitCMI(true), true);
    }
  });
})();

/* The lesson page's side of a scorm lesson: loads the package's frame and saves its commits.
 *
 * The frame (sandboxed, opaque origin: lms/static/scorm/bridge.js) posts each commit here. The
 * latest one is kept on the device (localStorage, per learner, lesson and attempt) until the LMS
 * has saved it, and sent with the page's session and CSRF token. A commit that does not get
 * through (no connection, a server error) is sent again, a little later each time (1 s, 2 s, 4 s,
 * ... 30 s) and as soon as the browser is back online; one left over by an earlier visit is sent
 * before the frame is loaded, so the package resumes from the learner's real place.
 *
 * Each load of this page is one launch: one session key for all its commits, whatever pages of
 * the package the frame goes through (each page's own key is sent as "page"), numbered in order,
 * each with the time it was made ("at", this device's clock): the LMS ignores a commit older than
 * what it holds, from this launch or another device's.
 */
(function () {
  "use strict";
  var player = document.getElementById("scorm-player");
  if (!player) {
    return;
  }
  var frame = document.getElementById("scorm-frame");
  var status = document.getElementById("scorm-status");
  var commitUrl = player.getAttribute("data-commit-url");
  var csrf = player.getAttribute("data-csrf");
  var key = "lms-scorm:" + player.getAttribute("data-attempt-key");
  var pending = null;
  var launch = launchKey();
  var count = 0;
  var sending = false;
  var delay = 1000;
  var timer = null;

  function launchKey() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function say(name) {
    status.textContent = player.getAttribute("data-say-" + name) || "";
    player.setAttribute("data-state", name);
  }

  function remember() {
    try {
      if (pending) {
        window.localStorage.setItem(key, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (error) {
      /* private browsing: the commit is kept in memory only */
    }
  }

  function recall() {
    try {
      var saved = window.localStorage.getItem(key);
      return saved ? JSON.parse(saved) : null;
    } catch (error) {
      return null;
    }
  }

  function retryLater() {
    say("retrying");
    if (timer === null) {
      timer = window.setTimeout(function () {
        timer = null;
        send();
      }, delay);
      delay = Math.min(delay * 2, 30000);
    }
  }

  function send() {
    if (!pending || sending || !commitUrl) {
      return Promise.resolve(!pending);
    }
    sending = true;
    var body = pending;
    return window
      .fetch(commitUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!body.terminate,
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf
        },
        body: JSON.stringify(body)
      })
      .then(function (response) {
        // 4xx (other than a timeout or "too many") will not get better by sending it again
        var final = response.status >= 400 && response.status < 500 &&
          response.status !== 408 && response.status !== 429;
        if (!response.ok && !final) {
          throw new Error("HTTP " + response.status);
        }
        if (response.status === 401 || response.status === 403) {
          // logged out meanwhile: the commit stays on the device until the next visit
          say("refused");
          return true;
        }
        if (pending === body) {
          pending = null;
          remember();
        }
        delay = 1000;
        if (!response.ok) {
          say("refused");
          return true;
        }
        return response.json().then(function (answer) {
          say(answer.done ? "done" : "saved");
          return true;
        });
      })
      .catch(function () {
        retryLater();
        return false;
      })
      .then(function (sent) {
        sending = false;
        if (pending && pending !== body) {
          send();
        }
        return sent;
      });
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.source !== frame.contentWindow || !message || message.type !== "lms-scorm-commit") {
      return;
    }
    if (!commitUrl) {
      return; // a preview: nothing is recorded
    }
    count += 1;
    pending = {
      session: launch,
      page: String(message.session || "").slice(0, 40),
      sequence: count,
      at: Date.now(),
      terminate: !!message.terminate,
      cmi: message.cmi || {}
    };
    remember();
    say("saving");
    send();
  });
  window.addEventListener("online", function () {
    delay = 1000;
    send();
  });

  function load() {
    frame.setAttribute("src", frame.getAttribute("data-src"));
  }

  pending = recall();
  if (pending && commitUrl) {
    say("saving");
    // What an earlier visit could not send goes first; the frame waits for it.
    var waitForIt = function () {
      send().then(function (sent) {
        if (sent) {
          load();
        } else {
          window.setTimeout(waitForIt, delay);
        }
      });
    };
    waitForIt();
  } else {
    pending = null;
    load();
  }
})();

/* Push notifications on the account page: "Turn on" subscribes this browser (the browser asks
   for permission) and sends the subscription to the server; "Turn off" removes it. Without
   JavaScript, a service worker or PushManager the section stays hidden. */
(function () {
  'use strict';
  var box = document.getElementById('lms-push');
  if (!box || !('serviceWorker' in navigator) || !('PushManager' in window) ||
      !window.crypto || !crypto.subtle) return;
  var cfg = box.dataset, T = {}, mine = (cfg.mine || '').split(' ');
  box.querySelectorAll('[data-t]').forEach(function (el) { T[el.getAttribute('data-t')] = el.textContent; });
  var on = box.querySelector('[data-on]'), off = box.querySelector('[data-off]');
  var line = box.querySelector('[data-state]');

  function key() {
    var text = cfg.key.replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(text + '='.repeat((4 - text.length % 4) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function digest(text) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (buf) {
      return Array.from(new Uint8Array(buf), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    });
  }
  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf, Accept: 'application/json' }
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.message || res.status);
        return data;
      });
    });
  }
  function show(subscribed, message) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    line.textContent = message || (subscribed ? T.on : (Notification.permission === 'denied' ? T.denied : T.off));
  }
  function failed(error) { line.textContent = T.failed.replace('{message}', error.message); }

  navigator.serviceWorker.ready.then(function (registration) {
    box.hidden = false;
    return registration.pushManager.getSubscription().then(function (current) {
      if (!current) return show(false);
      return digest(current.endpoint).then(function (d) { show(mine.indexOf(d) >= 0); });
    }).then(function () {
      on.addEventListener('click', function () {
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key() })
          .then(function (subscription) { return post(cfg.subscribe, subscription.toJSON()); })
          .then(function (data) { show(true, data.message); }, failed);
      });
      off.addEventListener('click', function () {
        registration.pushManager.getSubscription().then(function (current) {
          if (!current) return show(false);
          return post(cfg.unsubscribe, { endpoint: current.endpoint }).catch(function () {})
            .then(function () { return current.unsubscribe(); })
            .then(function () { show(false); });
        }).catch(failed);
      });
    });
  });
})();

/* Offline on the page side: registers the service worker, keeps the downloads of the learner
   who is logged in (and only hers: another person's are removed, and hers at logout, with this
   browser's push subscription), offers
   "Download for offline" / "Remove download", shows what waits to be sent and what was refused,
   and sends the queue when the connection is back. Without JavaScript nothing of this runs and
   every page works online as before. Texts come from the page (#lms-offline, translated). */
(function () {
  'use strict';
  var box = document.getElementById('lms-offline');
  if (!box || !('serviceWorker' in navigator) || !window.caches || !window.indexedDB) return;
  var cfg = box.dataset, user = cfg.user, T = {};
  box.querySelectorAll('[data-t]').forEach(function (el) { T[el.getAttribute('data-t')] = el.textContent; });

  function say(name, values) {
    return (T[name] || name).replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function kb(bytes) { return Math.max(1, Math.round(bytes / 1024)) + ' KB'; }
  function mine(name) { return name.indexOf('lms-' + user + '-') === 0; }
  function userCache(name) { return name.indexOf('lms-') === 0 && name.indexOf('lms-shell-') !== 0; }
  function worker(message) {
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage(message);
  }

  navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(function () {});
  // Only this person's downloads stay on the phone (none when nobody is logged in).
  var ready = caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return userCache(k) && !(user && mine(k)); })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () {
    return Promise.all([LMSQueue.set('user', user), LMSQueue.set('lang', cfg.lang),
      LMSQueue.set('sync', cfg.sync), LMSQueue.set('maxBytes', Number(cfg.maxBytes) || 0)]);
  });
  if (!user) return;

  // This browser's push subscription ends with the session (the server forgets the account's
  // subscriptions at logout; the browser's own goes too, so the push service drops it).
  function unsubscribePush() {
    return navigator.serviceWorker.getRegistration(cfg.scope).then(function (registration) {
      return registration && registration.pushManager && registration.pushManager.getSubscription();
    }).then(function (subscription) { return subscription && subscription.unsubscribe(); });
  }

  document.querySelectorAll('form[data-logout]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (form.dataset.cleared) return;
      event.preventDefault();
      var cleared = caches.keys().then(function (keys) {
        return Promise.all(keys.filter(mine).map(function (k) { return caches.delete(k); }));
      }).then(function () { return LMSQueue.set('user', ''); });
      // never more than 3 s before the logout is sent, whatever the browser does meanwhile
      var late = new Promise(function (resolve) { setTimeout(resolve, 3000); });
      var done = Promise.all([cleared, unsubscribePush().catch(function () {})]);
      Promise.race([done, late]).catch(function () {}).finally(function () {
        form.dataset.cleared = '1';
        form.submit();
      });
    });
  });

  // -- the queue ---------------------------------------------------------------------------------
  var list = box.querySelector('[data-list]'), status = box.querySelector('[data-status]');

  function button(text, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }

  // A refused item, with what the learner wrote in it (to copy before she dismisses it).
  function refused(li, item) {
    li.textContent = (item.local === 'too-large'
      ? say('too-large', { what: say(item.kind), size: kb(item.bytes || 0) })
      : say('refused', { message: item.message })) + ' ';
    var text = item.data && typeof item.data.text === 'string' ? item.data.text : '';
    if (text) {
      var area = document.createElement('textarea');
      area.readOnly = true;
      area.rows = 3;
      area.value = text;
      area.setAttribute('aria-label', T.typed);
      var copy = button(T.copy, function () {
        area.select();
        var copied = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject();
        copied.catch(function () { document.execCommand('copy'); })
          .then(function () { copy.textContent = T.copied; });
      });
      li.append(area, copy, ' ');
    }
    li.appendChild(button(T.dismiss, function () { LMSQueue.drop(item.key).then(show); }));
  }

  function show() {
    return LMSQueue.items(user).then(function (items) {
      list.textContent = '';
      items.forEach(function (item) {
        var li = document.createElement('li');
        if (item.status === 'refused') refused(li, item);
        else {
          li.textContent = say('waiting', { what: say(item.kind),
            when: new Date(item.occurred_at).toLocaleString(cfg.lang) });
        }
        list.appendChild(li);
      });
      var waiting = items.filter(function (i) { return i.status === 'waiting'; }).length;
      status.textContent = waiting ? say('count', { n: waiting }) : '';
      if (!waiting) loginAgain(0);
      box.hidden = !items.length && !/[?&]queued=/.test(location.search);
      return waiting;
    });
  }

  // The session has ended (the queue's answer was a 401 or a login page): nothing is sent
  // until she logs in again, and she is told so, with the link.
  var login = box.querySelector('[data-login]');
  function loginAgain(waiting) {
    login.hidden = !waiting;
    if (!waiting) return;
    login.querySelector('[data-login-text]').textContent = say('login', { n: waiting });
    login.querySelector('a').href = cfg.loginUrl + '?next=' +
      encodeURIComponent(location.pathname + location.search.replace(/[?&]queued=\w+/, ''));
    box.hidden = false;
  }

  // Sent (by this page, or by the service worker's Background Sync): the page is reloaded to
  // show what changed, and says how many actions went.
  var reloading = false;
  function reloadSent(applied) {
    if (reloading) return;
    reloading = true;
    sessionStorage.setItem('lms-sent', String(applied));
    location.replace(location.pathname + location.hash);
  }
  navigator.serviceWorker.addEventListener('message', function (event) {
    if (event.data && event.data.type === 'lms-sent' && event.data.applied) {
      reloadSent(event.data.applied);
    }
  });

  function flush() {
    if (!navigator.onLine) return show();
    return LMSQueue.send(cfg.sync, user).then(function (outcome) {
      loginAgain(outcome.login ? outcome.left : 0);
      if (outcome.applied || outcome.refused) {
        worker({ type: 'stale' });
        return LMSQueue.set('staleBefore', Date.now()).then(function () {
          if (outcome.applied) reloadSent(outcome.applied);
          else show();
        });
      }
      return show();
    });
  }

  // ?queued=1: saved offline; ?queued=expired: sent from a page kept since another session
  // (sw.js), through the queue: she is told, also once it is sent (and the page reloaded).
  var queued = /[?&]queued=(\w+)/.exec(location.search), note = '';
  if (queued && queued[1] === 'expired') sessionStorage.setItem('lms-expired', '1');
  if (sessionStorage.getItem('lms-expired')) note = T.expired + ' ';
  if (queued) box.querySelector('[data-sent]').textContent = note + T.saved;
  var sent = sessionStorage.getItem('lms-sent');
  if (sent) {
    sessionStorage.removeItem('lms-sent');
    sessionStorage.removeItem('lms-expired');
    box.querySelector('[data-sent]').textContent = note + say('sent', { n: sent });
    box.hidden = false;
  }
  ready.then(function () { return show(); }).then(function (waiting) { if (waiting) flush(); });

  // A circle journal entry written while the phone knows it is offline is queued here (when the
  // network fails without the phone knowing, the service worker queues the form it could not
  // send). Online, the form is sent as without JavaScript.
  document.querySelectorAll('form[data-offline="journal"]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      var circle = Number(form.dataset.circle);
      LMSQueue.journalData(new FormData(form)).then(function (data) {
        return LMSQueue.add({ key: crypto.randomUUID(), user: user, kind: 'journal',
          circle: circle, lesson: '', occurred_at: new Date().toISOString(), data: data,
          title: '', url: location.pathname });
      }).then(function () {
        form.reset();
        box.querySelector('[data-sent]').textContent = T.saved;
        box.hidden = false;
        navigator.serviceWorker.ready.then(function (r) {
          if (r.sync) return r.sync.register('lms-queue');
        }).catch(function () {});
        return show();
      }).then(function () { box.scrollIntoView(); });
    });
  });
  window.addEventListener('online', flush);
  box.querySelector('[data-send]').addEventListener('click', flush);

  // -- downloads ---------------------------------------------------------------------------------
  function cacheOf(course, module) {
    var prefix = 'lms-' + user + '-' + course + '~' + module + '~';
    return caches.keys().then(function (keys) {
      return keys.filter(function (k) { return k.indexOf(prefix) === 0; });
    });
  }

  function storedBytes(name) {
    return caches.open(name).then(function (c) { return c.keys().then(function (requests) {
      return Promise.all(requests.map(function (r) {
        return c.match(r).then(function (res) { return res.blob(); }).then(function (b) { return b.size; });
      }));
    }); }).then(function (sizes) { return sizes.reduce(function (a, b) { return a + b; }, 0); });
  }

  function fetchInto(name, urls) {
    return caches.open(name).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        var started = Date.now();  // the service worker's freshness stamp (sw.js, stamped)
        return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
          if (!res.ok || res.redirected) throw new Error(url);
          return res.blob().then(function (body) {
            var headers = new Headers(res.headers);
            headers.set('X-LMS-Fetched', String(started));
            return cache.put(url, new Response(body, { status: res.status, headers: headers }));
          });
        });
      }));
    });
  }

  function download(info, old) {
    return fetchInto(info.cache, info.urls).then(function () {
      return Promise.all(old.filter(function (k) { return k !== info.cache; })
        .map(function (k) { return caches.delete(k); }));
    }, function (error) { caches.delete(info.cache); throw error; });
  }

  // What this site keeps on the phone: its caches, counted here (the browser's own estimate
  // still counts a removed download for a while), and its queue.
  function used() {
    var queue = navigator.storage && navigator.storage.estimate ? navigator.storage.estimate()
      .then(function (e) { return (e.usageDetails && e.usageDetails.indexedDB) || 0; })
      : Promise.resolve(0);
    return caches.keys().then(function (keys) {
      return Promise.all([queue].concat(keys.filter(function (k) { return k.indexOf('lms-') === 0; })
        .map(storedBytes)));
    }).then(function (sizes) { return sizes.reduce(function (a, b) { return a + b; }, 0); });
  }

  function describe(panel, name) {
    return Promise.all([storedBytes(name), used()]).then(function (v) {
      panel.querySelector('[data-state]').textContent =
        say('stored', { size: kb(v[0]), used: kb(v[1]) });
    });
  }

  function setUp(panel) {
    var course = panel.dataset.course, module = panel.dataset.module, url = panel.dataset.download;
    var get = panel.querySelector('[data-get]'), confirm = panel.querySelector('[data-confirm]');
    var remove = panel.querySelector('[data-remove]'), line = panel.querySelector('[data-state]');
    var info = null;
    function render() {
      return cacheOf(course, module).then(function (names) {
        get.hidden = !!names.length;
        remove.hidden = !names.length;
        confirm.hidden = true;
        if (names.length) return describe(panel, names[0]);
        line.textContent = '';
      });
    }
    function fetchInfo() {
      return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) throw new Error(body.message || res.status);
            return body;
          });
        });
    }
    get.addEventListener('click', function () {
      line.textContent = T.checking;
      fetchInfo().then(function (body) {
        info = body;
        line.textContent = say('size', { size: kb(body.bytes) });
        get.hidden = true;
        confirm.hidden = false;
        confirm.focus();
      }).catch(function (e) { line.textContent = say('failed', { message: e.message }); });
    });
    confirm.addEventListener('click', function () {
      line.textContent = T.downloading;
      confirm.hidden = true;
      (info ? Promise.resolve(info) : fetchInfo()).then(function (body) {
        info = body;
        return cacheOf(course, module);
      }).then(function (old) { return download(info, old); })
        .then(render).catch(function (e) {
          line.textContent = say('failed', { message: e.message });
          get.hidden = false;
        });
    });
    remove.addEventListener('click', function () {
      cacheOf(course, module).then(function (names) {
        return Promise.all(names.map(function (k) { return caches.delete(k); }));
      }).then(render).then(used).then(function (bytes) {
        line.textContent = say('removed', { used: kb(bytes) });
      });
    });
    // shown once it says what is on the phone: a click before that would race this first look
    return render().then(function () { panel.hidden = false; });
  }

  // A downloaded module whose pack was imported again (or whose pages changed) is fetched anew;
  // one the server no longer lets her download is removed from the phone.
  function refreshAll() {
    if (!navigator.onLine) return;
    caches.keys().then(function (keys) {
      keys.filter(mine).forEach(function (name) {
        if (name.indexOf('~') < 0) return;  // not a module's download (the journal page)
        var parts = name.slice(('lms-' + user + '-').length).split('~');
        var url = cfg.download.replace('__C__', parts[0]).replace('__M__', parts[1]);
        fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (res) {
            // no longer hers to read (she left the course, the module is locked or gone)
            if (res.status === 403 || res.status === 404) {
              return caches.delete(name).then(function () { return null; });
            }
            return res.ok ? res.json() : null;
          })
          .then(function (info) {
            if (info && info.cache !== name) return download(info, [name]);
          }).catch(function () {});
      });
    });
  }

  ready.then(function () {
    refreshAll();
    document.querySelectorAll('.offline-download').forEach(setUp);
  });
})();

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
      LMSQueue.set('sync', cfg.sync)]);
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

  function show() {
    return LMSQueue.items(user).then(function (items) {
      list.textContent = '';
      items.forEach(function (item) {
        var li = document.createElement('li');
        var when = new Date(item.occurred_at).toLocaleString(cfg.lang);
        li.textContent = (item.status === 'refused' ? say('refused', { message: item.message })
          : say('waiting', { what: say(item.kind), when: when })) + ' ';
        if (item.status === 'refused') {
          var ok = document.createElement('button');
          ok.type = 'button';
          ok.className = 'link';
          ok.textContent = T.dismiss;
          ok.addEventListener('click', function () { LMSQueue.drop(item.key).then(show); });
          li.appendChild(ok);
        }
        list.appendChild(li);
      });
      var waiting = items.filter(function (i) { return i.status === 'waiting'; }).length;
      status.textContent = waiting ? say('count', { n: waiting }) : '';
      box.hidden = !items.length && !/[?&]queued=1/.test(location.search);
      return waiting;
    });
  }

  function flush() {
    if (!navigator.onLine) return show();
    return LMSQueue.send(cfg.sync, user).then(function (outcome) {
      if (outcome.applied || outcome.refused) {
        worker({ type: 'stale' });
        return LMSQueue.set('staleBefore', Date.now()).then(function () {
          if (outcome.applied) {
            sessionStorage.setItem('lms-sent', String(outcome.applied));
            location.replace(location.pathname + location.hash);
          } else show();
        });
      }
      return show();
    });
  }

  if (/[?&]queued=1/.test(location.search)) box.querySelector('[data-sent]').textContent = T.saved;
  var sent = sessionStorage.getItem('lms-sent');
  if (sent) {
    sessionStorage.removeItem('lms-sent');
    box.querySelector('[data-sent]').textContent = say('sent', { n: sent });
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

  function describe(panel, name) {
    return Promise.all([storedBytes(name), navigator.storage && navigator.storage.estimate
      ? navigator.storage.estimate() : Promise.resolve({ usage: 0 })]).then(function (v) {
      panel.querySelector('[data-state]').textContent =
        say('stored', { size: kb(v[0]), used: kb(v[1].usage || 0) });
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
      cacheOf(course, module).then(function (old) { return download(info, old); })
        .then(render).catch(function (e) {
          line.textContent = say('failed', { message: e.message });
          get.hidden = false;
        });
    });
    remove.addEventListener('click', function () {
      cacheOf(course, module).then(function (names) {
        return Promise.all(names.map(function (k) { return caches.delete(k); }));
      }).then(render).then(function () { line.textContent = T.removed; });
    });
    panel.hidden = false;
    return render();
  }

  // A downloaded module whose pack was imported again (or whose pages changed) is fetched anew.
  function refreshAll() {
    if (!navigator.onLine) return;
    caches.keys().then(function (keys) {
      keys.filter(mine).forEach(function (name) {
        if (name.indexOf('~') < 0) return;  // not a module's download (the journal page)
        var parts = name.slice(('lms-' + user + '-').length).split('~');
        var url = cfg.download.replace('__C__', parts[0]).replace('__M__', parts[1]);
        fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (res) { return res.ok ? res.json() : null; })
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

/* The LMS's service worker (served as <prefix>/sw.js, with self.LMS set before this file).
   - keeps a small shell (CSS, JS, the offline page in each language) in "lms-shell-<version>";
   - serves the pages and files of the modules a learner downloaded from her own caches
     ("lms-<user key>-<course>~<module>~<version>"), and only hers;
   - never caches an answer to a POST, nor any page that was not downloaded (admin and trainer
     pages never are): everything else goes to the network, and to the offline page without one;
   - an action sent while the network is down (mark as done, quiz, assignment, a circle journal
     entry) joins the queue in IndexedDB and is sent later (page load, "online", Background Sync);
     so does one refused for its CSRF token (a page kept since another session): nothing typed
     is lost;
   - a circle's journal page, as a member last saw it (with its form), is kept in
     "lms-<user key>-journal" so that an update can be written there without a network. */
'use strict';
importScripts(self.LMS.static + 'offline-db.js');

var LMS = self.LMS, SHELL = 'lms-shell-' + LMS.version;
// Pages cached before this moment are out of date (the learner did something since): they are
// fetched first, and shown from the cache only without a network.
var staleBefore = 0;

self.addEventListener('install', function (event) {
  var offline = LMS.languages.map(function (l) { return LMS.offline + '?lang=' + l; });
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(LMS.shell.concat(offline));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf('lms-shell-') === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'stale') markStale();
});

function markStale() {
  staleBefore = Date.now();
  return LMSQueue.set('staleBefore', staleBefore);
}

function state() {
  return Promise.all([LMSQueue.get('user'), LMSQueue.get('staleBefore'), LMSQueue.get('lang')])
    .then(function (values) {
      staleBefore = Math.max(staleBefore, values[1] || 0);
      return { user: values[0] || '', lang: values[2] || LMS.languages[0] };
    });
}

// The response for `request` in the current learner's downloads (never another learner's).
function mine(request, user) {
  if (!user) return Promise.resolve(undefined);
  return caches.keys().then(function (keys) {
    var names = keys.filter(function (k) { return k.indexOf('lms-' + user + '-') === 0; });
    return names.reduce(function (found, name) {
      return found.then(function (hit) {
        return hit || caches.open(name).then(function (c) {
          return c.match(request, { ignoreSearch: true });
        });
      });
    }, Promise.resolve(undefined));
  });
}

// A copy to keep, stamped with the moment its request started (the phone's clock, as the stale
// marker is): an answer whose request began before the learner's last change is out of date,
// even when it arrived after it (the Date header counts whole seconds and says when the server
// answered, not what it knew).
function stamped(response, started) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set('X-LMS-Fetched', String(started));
    return new Response(body, { status: response.status, statusText: response.statusText,
      headers: headers });
  });
}

function refresh(request, user) {
  var started = Date.now();
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = stamped(response.clone(), started);
      caches.keys().then(function (keys) {
        keys.filter(function (k) { return k.indexOf('lms-' + user + '-') === 0; })
          .forEach(function (name) {
            caches.open(name).then(function (c) {
              return c.match(request).then(function (hit) {
                if (hit) return copy.then(function (r) { return c.put(request, r.clone()); });
              });
            });
          });
      });
    }
    return response;
  });
}

function fresh(response) {
  var at = Number(response.headers.get('X-LMS-Fetched')) ||
    Date.parse(response.headers.get('Date') || '');
  return !isNaN(at) && at > staleBefore;
}

function offlinePage(lang) {
  return caches.open(SHELL).then(function (c) {
    return c.match(LMS.offline + '?lang=' + lang).then(function (hit) {
      return hit || c.match(LMS.offline + '?lang=' + LMS.languages[0]);
    });
  }).then(function (hit) {
    return hit || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
  });
}

// A member's journal page (the form is only on hers, never on a facilitator's), kept as sent.
var JOURNAL = /\/circles\/(\d+)\/journal$/;

function keepJournal(request, response, user) {
  return response.clone().text().then(function (html) {
    if (html.indexOf('data-offline="journal"') < 0) return;
    var headers = new Headers(response.headers);
    headers.set('X-LMS-Fetched', String(Date.now()));
    return caches.open('lms-' + user + '-journal').then(function (c) {
      return c.put(request.url.split('?')[0], new Response(html, { status: 200, headers: headers }));
    });
  });
}

function journalPage(event, s) {
  return fetch(event.request).then(function (response) {
    if (s.user && response.ok && !response.redirected) {
      event.waitUntil(keepJournal(event.request, response, s.user).catch(function () {}));
    }
    return response;
  }, function () {
    return mine(event.request, s.user).then(function (cached) {
      return cached || offlinePage(s.lang);
    });
  });
}

function page(event) {
  return state().then(function (s) {
    if (JOURNAL.test(new URL(event.request.url).pathname)) return journalPage(event, s);
    return mine(event.request, s.user).then(function (cached) {
      if (cached && fresh(cached)) {  // downloaded and up to date: at once, checked behind
        event.waitUntil(refresh(event.request, s.user).catch(function () {}));
        return cached;
      }
      return refresh(event.request, s.user).catch(function () {
        return cached || offlinePage(s.lang);
      });
    });
  });
}

function file(event) {
  var request = event.request;
  return caches.open(SHELL).then(function (c) { return c.match(request); }).then(function (hit) {
    if (hit) return hit;
    return fetch(request).catch(function () {
      return state().then(function (s) { return mine(request, s.user); }).then(function (mineHit) {
        return mineHit || Response.error();
      });
    });
  });
}

// -- actions sent while the network is down ------------------------------------------------------

var KINDS = { done: 'done', quiz: 'quiz', submission: 'assignment' };

function queueable(path) { return !!KINDS[path.split('/').pop()] || JOURNAL.test(path); }

// A form refused for its CSRF token: a page kept on the phone since another session (the token
// lives as long as the session, lms/csrf.py). What it holds is not lost: it joins the queue,
// which is sent with the session and needs no token, and the learner is told.
function expired(response) {
  return response.status === 400 && response.headers.get('X-LMS-Refused') === 'csrf';
}

function action(event) {
  var request = event.request, copy = request.clone(), second = request.clone();
  return fetch(request).then(function (response) {
    if (!expired(response)) {
      markStale();  // the server has changed something: downloaded pages are refetched once
      return response;
    }
    return state().then(function (s) {
      if (!s.user) return response;  // nobody's queue to keep it in
      return queueForm(second, true).then(function (lessonUrl) {
        return Response.redirect(lessonUrl + '?queued=expired', 303);
      });
    });
  }, function () {
    return queueForm(copy).then(function (lessonUrl) {
      return Response.redirect(lessonUrl + '?queued=1', 303);
    });
  });
}

// Keep the form of `request` in the queue; `online`: the page it leads to sends it at once (no
// Background Sync, which would race it and leave the page saying it waits).
function queueForm(request, online) {
  var path = new URL(request.url).pathname, parts = path.split('/'), circle = JOURNAL.exec(path);
  var kind = circle ? 'journal' : KINDS[parts.pop()], lessonUrl = circle ? path : parts.join('/');
  var lesson = circle ? '' : parts.slice(-3).join('/');
  return Promise.all([state(), request.formData()]).then(function (values) {
    var s = values[0], form = values[1];
    return formData(kind, form, s.user, lesson).then(function (data) {
      var item = { key: self.crypto.randomUUID(), user: s.user, kind: kind,
        lesson: lesson, occurred_at: new Date().toISOString(), data: data,
        title: form.get('title') || '', url: lessonUrl };
      if (circle) item.circle = Number(circle[1]);
      return LMSQueue.add(item);
    });
  }).then(function () {
    if (!online && self.registration.sync) {
      return self.registration.sync.register('lms-queue').catch(function () {});
    }
  }).then(function () { return lessonUrl; });
}

// The attempt a quiz sent from this phone counts as. The page kept offline still offers the
// number it offered when it was fetched; a second attempt made offline is the next number (the
// same number with other answers would be taken as the first one sent again).
function nextAttempt(user, lesson, offered) {
  var name = 'attempt:' + user + ':' + lesson;
  return LMSQueue.get(name).then(function (last) {
    var number = Math.max(Number(offered) || 1, (Number(last) || 0) + 1);
    return LMSQueue.set(name, number).then(function () { return number; });
  });
}

function formData(kind, form, user, lesson) {
  if (kind === 'journal') return LMSQueue.journalData(form);
  if (kind === 'quiz') {
    var answers = {};
    form.forEach(function (value, name) {
      if (name === 'csrf_token' || name === 'title') return;
      (answers[name] = answers[name] || []).push(String(value));
    });
    return nextAttempt(user, lesson, (answers.attempt || [])[0]).then(function (number) {
      answers.attempt = [String(number)];
      return { form: answers };
    });
  }
  if (kind === 'assignment') {
    var text = String(form.get('text') || ''), upload = form.get('file');
    if (!upload || !upload.size) return Promise.resolve({ text: text });
    return LMSQueue.base64(upload).then(function (data) {
      return { text: text, file: { name: upload.name, data: data } };
    });
  }
  return Promise.resolve({});
}

// Background Sync: the promise rejects while actions stay waiting because of the network or the
// server (LMSQueue.sync), so that the browser tries again later.
self.addEventListener('sync', function (event) {
  if (event.tag !== 'lms-queue') return;
  function applied(outcome) {
    if (!outcome || !outcome.applied) return Promise.resolve();
    return markStale().then(function () { return self.clients.matchAll({ type: 'window' }); })
      .then(function (pages) {  // an open page says it is sent (its own sending found nothing)
        pages.forEach(function (p) { p.postMessage({ type: 'lms-sent', applied: outcome.applied }); });
      });
  }
  event.waitUntil(state().then(function (s) {
    return s.user && LMSQueue.get('sync').then(function (url) {
      return url && LMSQueue.sync(url, s.user);
    });
  }).then(applied, function (error) {
    return applied(error.outcome).then(function () { throw error; });
  }));
});

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf(LMS.scope) !== 0) return;
  if (request.method === 'POST') {
    if (request.mode === 'navigate' && queueable(url.pathname)) {
      event.respondWith(action(event));
    }
    return;  // any other POST: straight to the network, never cached
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') event.respondWith(page(event));
  else if (url.pathname.indexOf(LMS.static) === 0 || url.pathname.indexOf('/assets/') > 0) {
    event.respondWith(file(event));
  }
});

self.addEventListener('push', function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || '', {
    body: data.body || '', lang: data.lang, dir: data.dir || 'auto',
    icon: LMS.static + 'icon-192.png', data: { url: data.url || LMS.scope }
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = new URL((event.notification.data || {}).url || LMS.scope, self.location.origin);
  // Only a page of this site, under the LMS's prefix (the payload is the server's, but be sure).
  if (url.origin !== self.location.origin || url.pathname.indexOf(LMS.scope) !== 0) url = new URL(LMS.scope, self.location.origin);
  event.waitUntil(self.clients.openWindow(url.href));
});

/* The phone's queue of actions made without a connection (IndexedDB), and its sending to the
   server; used by the pages (offline.js) and by the service worker (Background Sync).
   Hand-written, no framework. Each item: {key, user, kind, lesson (or circle, for a journal
   entry), occurred_at, data, title, status: "waiting" | "refused", message}. */
(function (root) {
  'use strict';
  var NAME = 'lms-offline', QUEUE = 'queue', STATE = 'state', BATCH = 50;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(QUEUE, { keyPath: 'key' });
        request.result.createObjectStore(STATE);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run fn(store) in one transaction; resolves with what fn's request gave, once committed.
  function run(name, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), request = fn(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(request && request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function items(user) {
    return run(QUEUE, 'readonly', function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (i) { return i.user === user; })
        .sort(function (a, b) { return a.occurred_at < b.occurred_at ? -1 : 1; });
    });
  }

  function put(item) { return run(QUEUE, 'readwrite', function (s) { return s.put(item); }); }
  function drop(key) { return run(QUEUE, 'readwrite', function (s) { return s.delete(key); }); }

  var sending = null;  // one sending at a time per page or worker (the server copes with two)

  // Send the waiting items of `user` in batches; applied ones leave the queue, refused ones stay
  // with their reason for the learner to read. Resolves {applied, refused, left}.
  function send(url, user) {
    if (sending) return sending;
    var outcome = { applied: 0, refused: 0, left: 0 };
    sending = items(user).then(function (all) {
      var waiting = all.filter(function (i) { return i.status === 'waiting'; });
      var batches = [], batch = [];
      waiting.forEach(function (item) {  // an item with a file or photos goes alone
        if (item.data && (item.data.file || (item.data.photos && item.data.photos.length))) {
          batches.push([item]);
          return;
        }
        batch.push(item);
        if (batch.length === BATCH) { batches.push(batch); batch = []; }
      });
      if (batch.length) batches.push(batch);
      return batches.reduce(function (previous, group) {
        return previous.then(function () { return post(url, group, outcome); });
      }, Promise.resolve());
    }).then(function () { return outcome; }, function () {
      return items(user).then(function (all) {
        outcome.left = all.filter(function (i) { return i.status === 'waiting'; }).length;
        return outcome;
      });
    }).then(function (result) { sending = null; return result; });
    return sending;
  }

  function post(url, group, outcome) {
    var body = JSON.stringify({ items: group.map(function (i) {
      var sent = { key: i.key, user: i.user, kind: i.kind, lesson: i.lesson,
        occurred_at: i.occurred_at, data: i.data };
      if (i.circle) sent.circle = i.circle;
      return sent;
    }) });
    return fetch(url, { method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      }).then(function (answer) {
        var byKey = {};
        group.forEach(function (i) { byKey[i.key] = i; });
        return Promise.all(answer.results.map(function (result) {
          var item = byKey[result.key];
          if (!item) return null;
          if (result.status === 'applied') { outcome.applied++; return drop(item.key); }
          outcome.refused++;
          item.status = 'refused';
          item.message = result.message;
          return put(item);
        }));
      });
  }

  // A file's bytes in base64 (a queued assignment file, a journal photo).
  function base64(file) {
    return file.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer), binary = '';
      for (var i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return btoa(binary);
    });
  }

  // What the journal form holds (FormData): its text and its chosen photos.
  function journalData(form) {
    var files = form.getAll('photos').filter(function (f) { return f && f.size; });
    return Promise.all(files.map(function (f) {
      return base64(f).then(function (data) { return { name: f.name, data: data }; });
    })).then(function (photos) { return { text: String(form.get('text') || ''), photos: photos }; });
  }

  root.LMSQueue = {
    base64: base64,
    journalData: journalData,
    items: items,
    add: function (item) { item.status = 'waiting'; return put(item); },
    drop: drop,
    send: send,
    get: function (name) { return run(STATE, 'readonly', function (s) { return s.get(name); }); },
    set: function (name, value) {
      return run(STATE, 'readwrite', function (s) { return s.put(value, name); });
    }
  };
})(self);

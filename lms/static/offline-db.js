/* The phone's queue of actions made without a connection (IndexedDB), and its sending to the
   server; used by the pages (offline.js) and by the service worker (Background Sync).
   Hand-written, no framework. Each item: {key, user, kind, lesson (or circle, for a journal
   entry), occurred_at, data, title, status: "waiting" | "refused", message; local: "too-large"
   and bytes for an item refused on the phone itself}. */
(function (root) {
  'use strict';
  var NAME = 'lms-offline', QUEUE = 'queue', STATE = 'state', BATCH = 50;
  // about 10 s of 2G upload (50 kbit/s): what is sent is kept batch by batch
  var BATCH_BYTES = 64 * 1024;

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

  // What is sent of an item (not its local status, message or title), and its size in bytes.
  function wire(i) {
    var sent = { key: i.key, user: i.user, kind: i.kind, lesson: i.lesson,
      occurred_at: i.occurred_at, data: i.data };
    if (i.circle) sent.circle = i.circle;
    return sent;
  }
  function size(i) { return new Blob([JSON.stringify(wire(i))]).size; }

  // Batches of at most BATCH items and BATCH_BYTES bytes, in the order the items were made; an
  // item larger than BATCH_BYTES goes alone.
  function batches(waiting) {
    var all = [], batch = [], bytes = 0;
    waiting.forEach(function (item) {
      var n = size(item);
      if (batch.length && (batch.length === BATCH || bytes + n > BATCH_BYTES)) {
        all.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(item);
      bytes += n;
    });
    if (batch.length) all.push(batch);
    return all;
  }

  // Kept on the phone, refused here: too large for the server to take. The page shows it with
  // what it held (the learner can copy her text) until she has read it.
  function tooLarge(item, outcome) {
    outcome.refused++;
    item.status = 'refused';
    item.local = 'too-large';
    item.bytes = size(item);
    item.message = '';
    return put(item);
  }

  // Send the waiting items of `user`: applied ones leave the queue, refused ones stay with their
  // reason for the learner to read. A batch the server finds too large (413) is sent in two
  // halves; an item too large alone is refused here. Sending stops at a network or server error
  // or an ended session; what is not sent stays waiting. Resolves {applied, refused, left,
  // unsent, login}: `unsent` waiting items are worth sending again later, `login` says the
  // session has ended (the learner must log in again).
  function send(url, user) {
    if (sending) return sending;
    var outcome = { applied: 0, refused: 0, left: 0, unsent: 0, login: false };
    sending = Promise.all([items(user), get('maxBytes')]).then(function (values) {
      var limit = Number(values[1]) || 0, waiting = [];
      return Promise.all(values[0].filter(function (i) { return i.status === 'waiting'; })
        .map(function (item) {
          if (limit && size(item) > limit) return tooLarge(item, outcome);
          waiting.push(item);
        })).then(function () {
        return batches(waiting).reduce(function (previous, group) {
          return previous.then(function () { return sendGroup(url, group, outcome); });
        }, Promise.resolve());
      });
    }).catch(function (error) {
      if (error && error.login) outcome.login = true;
      else outcome.failed = true;
    }).then(function () {
      return items(user).then(function (all) {
        outcome.left = all.filter(function (i) { return i.status === 'waiting'; }).length;
        if (!outcome.login && outcome.failed) outcome.unsent = outcome.left;
        delete outcome.failed;
        return outcome;
      });
    }).then(function (result) { sending = null; return result; },
      function (error) { sending = null; throw error; });
    return sending;
  }

  function sendGroup(url, group, outcome) {
    return post(url, group, outcome).catch(function (error) {
      if (error.status !== 413) throw error;
      if (group.length === 1) return tooLarge(group[0], outcome);
      var half = Math.ceil(group.length / 2);
      return sendGroup(url, group.slice(0, half), outcome).then(function () {
        return sendGroup(url, group.slice(half), outcome);
      });
    });
  }

  function failure(status, login) {
    var error = new Error('HTTP ' + status);
    error.status = status;
    error.login = !!login;
    return error;
  }

  function post(url, group, outcome) {
    var body = JSON.stringify({ items: group.map(wire) });
    return fetch(url, { method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' } })
      .then(function (response) {
        var json = (response.headers.get('Content-Type') || '').indexOf('json') >= 0;
        // an ended session: 401, or (in a host app) its login page instead of an answer
        if (response.status === 401 || (response.ok && (response.redirected || !json))) {
          throw failure(response.status, true);
        }
        if (!response.ok) throw failure(response.status);
        return response.json();
      }).then(function (answer) {
        var results = answer && answer.results;
        if (!results || results.length !== group.length) throw failure(502);
        // one result per item, in the order sent (a key is only what the phone made it)
        return Promise.all(group.map(function (item, index) {
          var result = results[index];
          if (result.status === 'applied') { outcome.applied++; return drop(item.key); }
          outcome.refused++;
          item.status = 'refused';
          item.message = result.message;
          return put(item);
        }));
      });
  }

  // Send, for Background Sync: rejects when items stay waiting because of the network or the
  // server, so that the browser tries again later (a refusal is an answer: nothing to retry).
  function sync(url, user) {
    return send(url, user).then(function (outcome) {
      if (!outcome.unsent) return outcome;
      var error = new Error(outcome.unsent + ' offline actions not sent yet');
      error.outcome = outcome;
      throw error;
    });
  }

  function get(name) { return run(STATE, 'readonly', function (s) { return s.get(name); }); }

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
    sync: sync,
    get: get,
    set: function (name, value) {
      return run(STATE, 'readwrite', function (s) { return s.put(value, name); });
    }
  };
})(self);

/* "Public problem or private trouble?": a small SCORM 1.2 activity, written by hand for the demo
 * (see LICENSE.md). It uses the runtime as authoring tools' output does: it looks for window.API
 * in its window, then its parents; LMSInitialize; reads the learner's language, place and
 * answers so far (lesson_location, suspend_data); saves each answer (LMSSetValue, LMSCommit);
 * reports the score and passed/failed at the end; LMSFinish when the page goes away. */
(function () {
  "use strict";
  var TEXTS = {
    fr: {
      title: "Problème public ou souci privé ?",
      intro: "Pour chaque situation, choisis : est-ce un problème public (il touche beaucoup de personnes et demande une action collective) ou un souci privé ?",
      public: "Problème public", private: "Souci privé", next: "Situation suivante",
      counter: "Situation {n} sur {total}", right: "Bien vu.", wrong: "Pas tout à fait.",
      result: "Tu as trouvé {score} réponses sur {total}.", passed: "Activité réussie !",
      failed: "Relis la leçon et recommence.", again: "Recommencer"
    },
    en: {
      title: "Public problem or private trouble?",
      intro: "For each situation, choose: is it a public problem (it touches many people and calls for collective action) or a private trouble?",
      public: "Public problem", private: "Private trouble", next: "Next situation",
      counter: "Situation {n} of {total}", right: "Well spotted.", wrong: "Not quite.",
      result: "You found {score} answers out of {total}.", passed: "Activity passed!",
      failed: "Read the lesson again and start over.", again: "Start again"
    },
    ar: {
      title: "مشكلة عمومية أم شأن خاص؟",
      intro: "في كل وضعية، اختر: هل هي مشكلة عمومية (تمسّ أشخاصاً كثيرين وتحتاج إلى عمل جماعي) أم شأن خاص؟",
      public: "مشكلة عمومية", private: "شأن خاص", next: "الوضعية التالية",
      counter: "الوضعية {n} من {total}", right: "أحسنت.", wrong: "ليس تماماً.",
      result: "وجدت {score} أجوبة من {total}.", passed: "نجحت في النشاط!",
      failed: "اقرأ الدرس مرة أخرى وابدأ من جديد.", again: "ابدأ من جديد"
    }
  };
  var SITUATIONS = [
    { public: true, fr: "Les jeunes du douar n'ont aucun lieu pour se retrouver après l'école.", en: "The young people of the village have nowhere to meet after school.", ar: "ليس لشباب الدوار أي مكان يلتقون فيه بعد المدرسة.", why: { fr: "Cela touche tous les jeunes du douar.", en: "It touches every young person in the village.", ar: "هذا يمسّ كل شباب الدوار." } },
    { public: false, fr: "Karim a perdu son téléphone au souk.", en: "Karim lost his phone at the market.", ar: "أضاع كريم هاتفه في السوق.", why: { fr: "C'est arrivé à une seule personne.", en: "It happened to one person.", ar: "حدث هذا لشخص واحد." } },
    { public: true, fr: "La route vers le lycée est coupée à chaque forte pluie.", en: "The road to the secondary school is cut off every time it rains hard.", ar: "الطريق إلى الثانوية تنقطع كلما اشتد المطر.", why: { fr: "Tous les élèves et leurs familles en souffrent.", en: "All the pupils and their families suffer from it.", ar: "يعاني منها كل التلاميذ وعائلاتهم." } },
    { public: false, fr: "Salma hésite entre deux formations.", en: "Salma cannot choose between two training courses.", ar: "سلمى مترددة بين تكوينين.", why: { fr: "C'est un choix personnel.", en: "It is a personal choice.", ar: "هذا اختيار شخصي." } },
    { public: true, fr: "La moitié des diplômés de la commune cherchent un emploi depuis deux ans.", en: "Half of the commune's graduates have been looking for work for two years.", ar: "نصف حاملي الشهادات في الجماعة يبحثون عن عمل منذ سنتين.", why: { fr: "Beaucoup de personnes sont touchées, pour longtemps.", en: "Many people are touched, for a long time.", ar: "أشخاص كثيرون متأثرون، ولمدة طويلة." } },
    { public: false, fr: "Le cousin de Youssef a oublié son anniversaire.", en: "Youssef's cousin forgot his birthday.", ar: "نسي ابن عم يوسف عيد ميلاده.", why: { fr: "Cela ne concerne que la famille.", en: "It only concerns the family.", ar: "هذا لا يهم إلا العائلة." } }
  ];
  var PASS_MARK = 67;

  function findAPI(win) {
    for (var tries = 0; win && tries < 10; tries++) {
      try { if (win.API) { return win.API; } } catch (e) { /* another origin */ }
      if (win === win.parent) { break; }
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window);
  var get = function (key) { return api ? String(api.LMSGetValue(key) || "") : ""; };
  var set = function (key, value) { if (api) { api.LMSSetValue(key, String(value)); } };
  var commit = function () { if (api) { api.LMSCommit(""); } };
  if (api) { api.LMSInitialize(""); }

  var wanted = (get("cmi.student_preference.language") || navigator.language || "fr").slice(0, 2);
  var language = TEXTS[wanted] ? wanted : "fr";
  var t = TEXTS[language];
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
  document.title = t.title;

  var answers = [];
  try { answers = JSON.parse(get("cmi.suspend_data") || "[]"); } catch (e) { answers = []; }
  if (!Array.isArray(answers)) { answers = []; }
  var current = Math.min(answers.length, SITUATIONS.length);
  var $ = function (id) { return document.getElementById(id); };
  var fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, name) { return String(values[name]); });
  };

  $("title").textContent = t.title;
  $("intro").textContent = t.intro;
  $("public").textContent = t.public;
  $("private").textContent = t.private;
  $("next").textContent = t.next;
  $("again").textContent = t.again;

  function score() {
    var right = 0;
    for (var i = 0; i < answers.length; i++) { if (answers[i] === SITUATIONS[i].public) { right++; } }
    return right;
  }

  function show() {
    if (current >= SITUATIONS.length) { return finish(); }
    var item = SITUATIONS[current];
    $("card").hidden = false;
    $("end").hidden = true;
    $("counter").textContent = fill(t.counter, { n: current + 1, total: SITUATIONS.length });
    $("situation").textContent = item[language];
    $("feedback").textContent = "";
    $("feedback").className = "feedback";
    $("public").disabled = $("private").disabled = false;
    $("next").hidden = true;
  }

  function answer(isPublic) {
    var item = SITUATIONS[current];
    answers[current] = isPublic;
    var right = isPublic === item.public;
    $("feedback").textContent = (right ? t.right : t.wrong) + " " + item.why[language];
    $("feedback").className = "feedback " + (right ? "right" : "wrong");
    $("public").disabled = $("private").disabled = true;
    $("next").hidden = false;
    set("cmi.suspend_data", JSON.stringify(answers));
    set("cmi.core.lesson_location", String(current + 1));
    if (get("cmi.core.lesson_status") === "not attempted" || !get("cmi.core.lesson_status")) {
      set("cmi.core.lesson_status", "incomplete");
    }
    set("cmi.core.exit", "suspend");
    commit();
    current += 1;
  }

  function finish() {
    var right = score();
    var percent = Math.round((100 * right) / SITUATIONS.length);
    $("card").hidden = true;
    $("end").hidden = false;
    $("counter").textContent = "";
    $("result").textContent = fill(t.result, { score: right, total: SITUATIONS.length }) + " " +
      (percent >= PASS_MARK ? t.passed : t.failed);
    set("cmi.core.score.min", "0");
    set("cmi.core.score.max", "100");
    set("cmi.core.score.raw", String(percent));
    set("cmi.core.lesson_status", percent >= PASS_MARK ? "passed" : "failed");
    set("cmi.core.exit", "");
    commit();
  }

  $("public").addEventListener("click", function () { answer(true); });
  $("private").addEventListener("click", function () { answer(false); });
  $("next").addEventListener("click", show);
  $("again").addEventListener("click", function () {
    answers = []; current = 0;
    set("cmi.suspend_data", "[]");
    set("cmi.core.lesson_location", "0");
    commit();
    show();
  });
  window.addEventListener("pagehide", function () { if (api) { api.LMSFinish(""); } });
  show();
})();

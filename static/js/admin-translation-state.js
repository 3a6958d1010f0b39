// The change form's language tabs (built by modeltranslation's own script) say whether
// each field is filled in that language, from the list the server wrote in
// #translation-state; and the tab the editor was on is sent with the form (hidden
// _language_tab), so "Save and continue editing" comes back to it (#lang-xx).
(function () {
  "use strict";

  function languageOf(link) {
    var match = /_([a-z]{2}(?:_[a-z]+)?)$/.exec(link.getAttribute("href") || "");
    return match ? match[1] : null;
  }

  function markTabs(state) {
    var missing = (state.getAttribute("data-missing") || "").split(" ").filter(Boolean);
    var missingLabel = state.getAttribute("data-label-missing");
    var filledLabel = state.getAttribute("data-label-filled");
    var languages = {};
    document.querySelectorAll('a[href^="#tab_id_"]').forEach(function (link) {
      var field = link.getAttribute("href").slice("#tab_id_".length);
      if (field.indexOf("-") !== -1) {
        return; // an inline's field: the list names the record's own fields only
      }
      var lacking = missing.indexOf(field) !== -1;
      var mark = document.createElement("span");
      mark.className = lacking ? "translation-mark translation-missing" : "translation-mark";
      mark.textContent = " (" + (lacking ? missingLabel : filledLabel) + ")";
      link.appendChild(mark);
      link.parentNode.classList.toggle("translation-missing", lacking);
      var language = languageOf(link);
      if (language && lacking) {
        languages[language] = true;
      }
    });
    var main = document.getElementById("modeltranslation-main-switch");
    if (main) {
      Array.prototype.forEach.call(main.options, function (option) {
        if (languages[option.textContent.trim()]) {
          option.textContent += " (" + missingLabel + ")";
        }
      });
    }
  }

  function choose(language) {
    var main = document.getElementById("modeltranslation-main-switch");
    if (!main || !language) {
      return;
    }
    Array.prototype.forEach.call(main.options, function (option) {
      if (option.textContent.trim().split(" ")[0] === language) {
        main.value = option.value;
        main.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function keepTab(field) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#tab_"]');
      if (link && languageOf(link)) {
        field.value = languageOf(link);
      }
    });
    var main = document.getElementById("modeltranslation-main-switch");
    if (main) {
      main.addEventListener("change", function () {
        field.value = main.options[main.selectedIndex].textContent.trim().split(" ")[0];
      });
    }
    var fromHash = /^#lang-([a-z]{2})$/.exec(window.location.hash);
    var language = fromHash ? fromHash[1] : field.value;
    if (language) {
      choose(language);
      field.value = language;
    }
  }

  function run() {
    var state = document.getElementById("translation-state");
    if (state) {
      markTabs(state);
    }
    var field = document.getElementById("language-tab");
    if (field) {
      keepTab(field);
    }
  }

  // modeltranslation builds its tabs in a jQuery ready callback, which jQuery 3 runs
  // asynchronously, sometimes after "load": wait for them a moment (at most 2 s).
  function whenTabsExist(tries) {
    if (document.querySelector('a[href^="#tab_id_"]') || tries <= 0) {
      run();
    } else {
      window.setTimeout(function () {
        whenTabsExist(tries - 1);
      }, 50);
    }
  }

  window.addEventListener("load", function () {
    whenTabsExist(40);
  });
})();

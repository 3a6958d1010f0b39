/* Composing an issue: the preview beside the Markdown body follows what the editor
   types. The draft (body, subject, list) is posted with the form's CSRF token to the
   preview endpoint, which answers with HTML the server has sanitised; it is parsed
   inert (DOMParser runs no script and loads nothing) and moved into the panel, whose
   lang and dir follow the chosen list. The page's CSP stays strict: no inline script
   or style, no frame. Without this script the "Preview" button does the same by
   posting the form. */
(function () {
  "use strict";

  var editor = document.querySelector(".compose-editor");
  if (!editor || !window.fetch || !window.DOMParser) {
    return;
  }
  var form = editor.closest("form");
  var source = editor.querySelector("textarea");
  var panel = editor.querySelector(".compose-preview");
  var status = editor.querySelector(".compose-status");
  var url = editor.getAttribute("data-preview-url");
  var timer = null;
  var pending = null;
  var sequence = 0;

  function value(name) {
    var field = form && form.elements.namedItem(name);
    return field && typeof field.value === "string" ? field.value : "";
  }

  function show(answer) {
    var parsed = new DOMParser().parseFromString(answer.html, "text/html");
    panel.replaceChildren.apply(panel, Array.prototype.slice.call(parsed.body.childNodes));
    [panel, source].forEach(function (element) {
      element.setAttribute("lang", answer.lang);
      element.setAttribute("dir", answer.dir);
    });
    status.textContent = "";
  }

  function refresh() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var mine = ++sequence;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", value("csrfmiddlewaretoken"));
    data.append("body", source.value);
    data.append("subject", value("subject"));
    data.append("newsletter", value("newsletter"));
    fetch(url, { method: "POST", body: data, credentials: "same-origin", signal: pending.signal })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (mine !== sequence) {
            return;
          }
          if (!response.ok) {
            status.textContent = answer.error || editor.getAttribute("data-error");
            return;
          }
          show(answer);
          editor.setAttribute("data-previewed", String(mine));
        });
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && mine === sequence) {
          status.textContent = editor.getAttribute("data-error");
        }
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  source.addEventListener("input", soon);
  ["subject", "newsletter"].forEach(function (name) {
    var field = form && form.elements.namedItem(name);
    if (field && field.addEventListener) {
      field.addEventListener("input", soon);
      field.addEventListener("change", soon);
    }
  });

  // The links at the top of the page show and send the saved issue: with edits not
  // saved yet, say so before leaving (the buttons under the preview save first).
  var edited = false;
  if (form) {
    form.addEventListener("input", function () {
      edited = true;
    });
    form.addEventListener("change", function () {
      edited = true;
    });
  }
  document.querySelectorAll(".object-tools a").forEach(function (link) {
    if (!/\/(preview|test)\/$/.test(link.pathname)) {
      return;
    }
    link.addEventListener("click", function (event) {
      if (edited && !window.confirm(editor.getAttribute("data-unsaved"))) {
        event.preventDefault();
      }
    });
  });

  // An image's snippet goes where the cursor is in the body.
  editor.querySelectorAll(".compose-insert").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var snippet = button.getAttribute("data-snippet");
      var start = source.selectionStart;
      var end = source.selectionEnd;
      source.setRangeText(snippet, start, end, "end");
      source.focus();
      source.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();

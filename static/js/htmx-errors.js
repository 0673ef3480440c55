/* What every htmx request does when it does not succeed (loaded by base.html on every page; no
   inline scripts: CSP). htmx 2 swaps only 2xx answers (base.html's htmx-config spells out its
   responseHandling) and does nothing visible on an error, so:
   - a 4xx answer that the server rendered for the request's own target (a form sent back with its
     translated errors: asar.web.templating.page marks it with the X-Asar-Fragment header) is
     swapped like a success, and the focus goes to its first invalid field;
   - any other error answer (403, 404, 409, 413, 429, 5xx, a proxy's page), a network error and a
     timeout swap nothing, so whatever the person typed stays as it is, and a message appears in
     #request-alert (as a role=alert element: screen readers read it out). It is the server's own
     translated message (the error page's [data-error-message]) when there is one, otherwise the
     region's own for the case (data-network, data-timeout, data-too-large, data-too-many,
     data-client, data-server, rendered in the page's language);
   - the message stays until it is closed or the same element's next request succeeds.
   Elements with their own handling keep it: the hearing room swaps its refusals (hearing-room.js),
   the application form also writes "Not saved" in its status line (autosave.js). */
(function () {
  "use strict";

  var failedFrom = null;  // the element whose request the message is about
  var focusIn = null;  // the id of an error fragment's target, to focus its first invalid field

  function region() {
    return document.getElementById("request-alert");
  }

  /* The message is a new role=alert element each time (inserted with its text: screen readers read
     it out); with no message there is no alert on the page at all. */
  function show(message, source) {
    var box = region();
    if (!box || !message) {
      return;
    }
    var text = box.querySelector(".request-alert__text");
    if (!text || text.textContent !== message) {  // (the same message again is not read out twice)
      if (text) {
        text.remove();
      }
      text = document.createElement("p");
      text.className = "request-alert__text";
      text.setAttribute("role", "alert");
      text.textContent = message;
      box.insertBefore(text, box.firstChild);
    }
    box.classList.add("request-alert--shown");
    box.querySelector(".request-alert__close").hidden = false;
    failedFrom = source || null;
  }

  function clear() {
    var box = region();
    if (!box) {
      return;
    }
    var text = box.querySelector(".request-alert__text");
    if (text) {
      text.remove();
    }
    box.classList.remove("request-alert--shown");
    box.querySelector(".request-alert__close").hidden = true;
    failedFrom = null;
  }

  /* The server's own message: the error page (web/error.html) marks it. */
  function serverMessage(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === -1 || !xhr.responseText) {
      return "";
    }
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var found = doc.querySelector("[data-error-message]");
    return found ? found.textContent.trim() : "";
  }

  function fallback(status) {
    var data = region() ? region().dataset : {};
    if (status === 413) {
      return data.tooLarge;
    }
    if (status === 429) {
      return data.tooMany;
    }
    return status >= 500 ? data.server : data.client;
  }

  /* The element that made the request (detail.elt is the element an event is fired on: when the
     swap removed that one, htmx fires afterRequest again on an ancestor still in the page). */
  function source(event) {
    var config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Asar-Fragment") === "target") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      focusIn = event.detail.target && event.detail.target.id;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (focusIn === null) {
      return;
    }
    var root = document.getElementById(focusIn);
    focusIn = null;
    var field = root && root.querySelector("[aria-invalid=true]");
    var focused = document.activeElement;
    if (field && (!focused || focused === document.body || !document.contains(focused))) {
      field.focus();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    show(serverMessage(xhr) || fallback(xhr.status), source(event));
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(region() && region().dataset.network, source(event));
  });

  document.addEventListener("htmx:timeout", function (event) {
    show(region() && region().dataset.timeout, source(event));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && failedFrom !== null && failedFrom === source(event)) {
      clear();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest(".request-alert__close");
    if (button) {
      clear();
    }
  });
}());

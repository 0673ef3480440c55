/* An autosave that cannot reach the server says so in its status line; otherwise the line would keep
   showing the last "Saved at" on a slow or broken connection. The message comes translated in the
   form's data-unsaved; the next change (or the Save button) sends the whole form again. */
(function () {
  function failed(event) {
    var el = event.target;
    var form = el && el.closest ? el.closest("form[data-unsaved]") : null;
    if (!form) return;
    var status = document.getElementById(form.getAttribute("data-status") || "autosave-status");
    if (!status) return;
    status.textContent = form.getAttribute("data-unsaved");
    status.classList.add("field-error");
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:responseError", failed);
})();

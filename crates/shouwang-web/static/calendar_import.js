// The calendar file goes up as the request body, the CSRF token in a header (the server checks it
// without reading the body); the answer (the calendar page, saying what was saved or which rows
// are wrong) replaces this one. A static file: the content security policy forbids inline script.
(function () {
  var form = document.getElementById('calendar-form');
  if (!form) { return; }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var f = document.getElementById('calendar-file').files[0];
    if (!f) { return; }
    var status = document.getElementById('calendar-status');
    status.textContent = form.dataset.uploading;
    var x = new XMLHttpRequest();
    x.open('POST', form.getAttribute('action') + '&name=' + encodeURIComponent(f.name));
    x.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
    x.setRequestHeader('Content-Type', 'application/octet-stream');
    x.onload = function () {
      history.replaceState(null, '', x.responseURL || location.href);
      document.open(); document.write(x.responseText); document.close();
    };
    x.onerror = function () { status.textContent = form.dataset.failed; };
    x.send(f);
  });
})();

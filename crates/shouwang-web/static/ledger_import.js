// The ledger upload with a progress bar: the file goes up as the request body, the CSRF token in
// a header (the server checks it without reading the body). A static file, so that the content
// security policy can forbid inline script; the page's texts come from the form's data-
// attributes.
(function () {
  var form = document.getElementById('ledger-form');
  if (!form) { return; }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var f = document.getElementById('ledger-file').files[0];
    if (!f) { return; }
    var q = '?name=' + encodeURIComponent(f.name) + '&sheet=' + encodeURIComponent(document.getElementById('ledger-sheet').value)
      + (document.getElementById('ledger-aon').checked ? '&all_or_nothing=1' : '')
      + (document.getElementById('ledger-overwrite').checked ? '&overwrite_newer=1' : '');
    var bar = document.getElementById('ledger-progress');
    var status = document.getElementById('ledger-status');
    bar.hidden = false;
    var x = new XMLHttpRequest();
    x.open('POST', '/ledger/import' + q);
    x.setRequestHeader(form.dataset.csrfHeader, form.dataset.csrf);
    x.setRequestHeader('Content-Type', 'application/octet-stream');
    x.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.value = ev.loaded / ev.total * 100; }
      status.textContent = form.dataset.uploading;
    };
    x.upload.onload = function () { bar.removeAttribute('value'); status.textContent = form.dataset.importing; };
    x.onload = function () { document.open(); document.write(x.responseText); document.close(); };
    x.onerror = function () { status.textContent = form.dataset.failed; };
    x.send(f);
  });
})();

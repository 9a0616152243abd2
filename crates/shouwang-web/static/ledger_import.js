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
    // names this upload in the county's line of imports, to ask for its place
    var ticket = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(12)), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
    var q = '?ticket=' + ticket + '&name=' + encodeURIComponent(f.name) + '&sheet=' + encodeURIComponent(document.getElementById('ledger-sheet').value)
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
    var poll = null;
    x.upload.onload = function () {
      bar.removeAttribute('value');
      status.textContent = form.dataset.importing;
      // one import per county at a time: while this one waits, show its place in the line
      poll = setInterval(function () {
        fetch('/ledger/queue?ticket=' + ticket).then(function (r) { return r.json(); }).then(function (j) {
          if (j.ahead > 0) {
            status.textContent = form.dataset.waiting.replace('{n}', j.ahead);
          } else if (j.ahead === 0) {
            status.textContent = form.dataset.importing;
          }
        }).catch(function () {});
      }, 1000);
    };
    x.onload = function () { if (poll) { clearInterval(poll); } document.open(); document.write(x.responseText); document.close(); };
    x.onerror = function () { status.textContent = form.dataset.failed; };
    x.send(f);
  });
})();

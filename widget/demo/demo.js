// Demo portal page of the Sophia chat widget (served at /demo/demo.js): the example
// questions use the widget's JS API. An external file, so the page runs under a strict CSP
// (script-src 'self', no inline script).
document.querySelectorAll('[data-question]').forEach(function (button) {
  button.addEventListener('click', function () {
    if (window.Sophia) window.Sophia.send(button.getAttribute('data-question'));
  });
});

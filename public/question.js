// Question page: require at least one ticked reason before submitting (the server checks too),
// and disable the button after the first submit so a double click sends one answer.
(function () {
  var form = document.getElementById('answer-form');
  if (!form) return;
  var message = document.getElementById('client-error');
  form.addEventListener('submit', function (event) {
    var ticked = form.querySelectorAll('input[name="option"]:checked').length;
    if (ticked === 0) {
      event.preventDefault();
      if (message) {
        message.hidden = false;
        message.focus && message.setAttribute('tabindex', '-1');
        message.focus && message.focus();
      }
      return;
    }
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      // Disable after the browser has captured the form data.
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });
  form.addEventListener('change', function () {
    if (message) message.hidden = true;
  });
})();

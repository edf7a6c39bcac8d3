/**
 * The pages' only script: the "Show" button beside a password field. The button ships `hidden`
 * and this reveals it, so without script the form still works. Allowed by its CSP hash
 * (layout.ts); keep it a constant so the hash is computed once.
 */
export const SHOW_PASSWORD_SCRIPT = `document.querySelectorAll('button[data-reveal]').forEach(function (b) {
  var field = document.getElementById(b.getAttribute('aria-controls'));
  if (!field) return;
  b.hidden = false;
  b.addEventListener('click', function () {
    var show = field.type === 'password';
    field.type = show ? 'text' : 'password';
    b.textContent = show ? 'Hide' : 'Show';
    b.setAttribute('aria-label', show ? 'Hide password' : 'Show password');
    field.focus();
  });
});`;

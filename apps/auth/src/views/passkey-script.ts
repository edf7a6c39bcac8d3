/**
 * The browser side of passkeys: a form marked `data-passkey="create"` (add one) or `"get"` (sign in)
 * carries the WebAuthn options as JSON in `data-options`; on submit this script calls
 * navigator.credentials with them, puts the credential (as JSON, binary fields base64url) in the
 * form's `credential` field and submits it. It fetches nothing, so the CSP needs no connect-src.
 * The forms ship `hidden` and are shown only where the browser has WebAuthn. On the sign-in page
 * (a form with `data-conditional`) it also starts a conditional request where
 * PublicKeyCredential.isConditionalMediationAvailable() says yes: the browser offers the passkeys
 * in the email field's autofill (`autocomplete="username webauthn"`), and one picked there posts
 * the same form. The button aborts that request first (one WebAuthn request at a time). Allowed
 * by its CSP hash (layout.ts); keep it a constant.
 */
export const PASSKEY_SCRIPT = `(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  function b64(buffer) {
    var bytes = new Uint8Array(buffer), text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function unb64(value) {
    var text = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((value.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }
  function credentialsOf(list) {
    return (list || []).map(function (c) { return { type: c.type, id: unb64(c.id), transports: c.transports }; });
  }
  function toJSON(cred) {
    var r = cred.response, out = { id: cred.id, rawId: b64(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(), authenticatorAttachment: cred.authenticatorAttachment || undefined, response: { clientDataJSON: b64(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = b64(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64(r.authenticatorData);
      out.response.signature = b64(r.signature);
      if (r.userHandle) out.response.userHandle = b64(r.userHandle);
    }
    return out;
  }
  function publicKeyOf(form) {
    var o = JSON.parse(form.getAttribute('data-options'));
    o.challenge = unb64(o.challenge);
    if (form.getAttribute('data-passkey') === 'create') {
      o.user.id = unb64(o.user.id);
      o.excludeCredentials = credentialsOf(o.excludeCredentials);
    } else {
      o.allowCredentials = credentialsOf(o.allowCredentials);
    }
    return o;
  }
  function post(form, cred) {
    form.querySelector('input[name=credential]').value = JSON.stringify(toJSON(cred));
    form.submit();
  }
  var autofill = null;
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    form.hidden = false;
    var status = form.querySelector('[data-passkey-status]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (autofill) { autofill.abort(); autofill = null; }
      var o = publicKeyOf(form);
      var call = form.getAttribute('data-passkey') === 'create' ? navigator.credentials.create({ publicKey: o }) : navigator.credentials.get({ publicKey: o });
      call.then(function (cred) { post(form, cred); }, function () {
        if (status) { status.hidden = false; status.focus(); }
      });
    });
  });
  var conditional = document.querySelector('form[data-passkey="get"][data-conditional]');
  if (conditional && window.AbortController && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) return;
      autofill = new AbortController();
      navigator.credentials.get({ mediation: 'conditional', publicKey: publicKeyOf(conditional), signal: autofill.signal })
        .then(function (cred) { autofill = null; post(conditional, cred); }, function () {});
    }, function () {});
  }
})();`;

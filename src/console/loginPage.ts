import { html, type Html } from './html';

export function loginBody(csrf: string, error?: string): Html {
  return html`${error ? html`<p class="flash" role="alert">${error}</p>` : html``}
<form method="post" action="/console/login" class="panel">
<input type="hidden" name="csrf" value="${csrf}">
<p><label for="password">Operator password or token</label><br><input id="password" name="password" type="password" autocomplete="current-password" required autofocus></p>
<p><button type="submit">Sign in</button></p>
</form>
<p>A customer's admin does not sign in here: completing Intercom's authorization shows their workspace's card.</p>`;
}

/**
 * The identity story, one click away: who I am to AWS, the principal tag that scopes my
 * credentials, their countdown, and the proof: acting as someone else is refused by IAM.
 */
import { html, nothing, type TemplateResult } from 'lit-html';
import { countdown } from '../format';
import { actAsSuggestion, actAsValue, type State } from '../state';
import type { ViewContext } from './context';
import { onSubmit } from './context';
import { field } from './field';
import { icons } from './icons';

function credentialsLine(state: State): TemplateResult {
  const info = state.credentials;
  if (!info) return html`<span>not fetched yet</span>`;
  const from = info.source === 'vending' ? 'the vending API (STS)' : 'the identity pool';
  return html`<span data-testid="credentials"
    >From ${from}, expire in
    <strong class="countdown" data-testid="expiry"
      >${info.expiration ? countdown(info.expiration, new Date(state.now)) : 'unknown'}</strong
    ></span
  >`;
}

function actAsResult(state: State): TemplateResult {
  const result = state.actAs.result;
  if (!result) return html``;
  switch (result.kind) {
    case 'own':
      return html`<div class="result info" data-testid="act-as-result">
        <p>
          <strong>That is your own id.</strong> Your credentials may act as you: that is what they
          are for.
        </p>
        <p>Enter someone else's user id to see AWS refuse.</p>
      </div>`;
    case 'refused': {
      const who = result.name ?? 'that person';
      return html`<div class="result success" data-testid="act-as-result">
        <p>
          ${icons.check()}
          <strong>Refused by AWS${result.status ? ` (HTTP ${result.status})` : ''}.</strong>
        </p>
        <p>
          Your credentials asked to list ${who}'s channels <em>as ${who}</em> (user id
          <code>${result.userId}</code>). IAM said no: the role allows acting only as the user named
          by your own principal tag. Your credentials work only as you.
        </p>
      </div>`;
    }
    case 'allowed':
      return html`<div class="result danger" data-testid="act-as-result">
        <p>
          <strong>Not refused:</strong> these credentials could act as
          ${result.name ?? 'another user'}. Check the role policy.
        </p>
      </div>`;
    case 'failed':
      return html`<div class="result warning" data-testid="act-as-result">
        <p>${result.message}</p>
      </div>`;
  }
}

export function identityPanel(ctx: ViewContext): TemplateResult {
  const { state, dispatch } = ctx;
  const { me } = state;
  const suggestion = actAsSuggestion(state);
  const value = actAsValue(state);
  const target = value === suggestion?.userId ? suggestion.name : undefined;
  return html`<div class="panel-body" data-testid="identity">
    <p class="panel-lead">
      You chat with short-lived AWS credentials that Cognito issued to you alone. IAM lets them act
      only as your own Chime user.
    </p>
    <dl class="facts compact">
      <div>
        <dt>Signed in as</dt>
        <dd data-testid="email">${me.email || '-'}</dd>
      </div>
      <div>
        <dt>Credentials</dt>
        <dd>${credentialsLine(state)}</dd>
      </div>
    </dl>
    ${
      ctx.vendingAvailable
        ? html`<fieldset class="choice">
            <legend>Credentials from</legend>
            ${(['identityPool', 'vending'] as const).map(
              (source) =>
                html`<label class="radio"
                  ><input
                    type="radio"
                    name="credentialSource"
                    .checked=${state.credentialSource === source}
                    ?disabled=${state.credentialsBusy}
                    @change=${() => dispatch({ type: 'switchCredentials', source })}
                  />
                  ${source === 'vending' ? 'vending API (STS)' : 'identity pool'}</label
                >`,
            )}
          </fieldset>`
        : nothing
    }
    <section class="proof" aria-labelledby="proof-title">
      <h3 id="proof-title">Try to act as someone else</h3>
      <p class="hint">
        ${
          suggestion
            ? html`Pre-filled with the user id of <strong>${suggestion.name}</strong>, who is in
                your channels.`
            : html`Add someone to a channel first, or paste another person's user id.`
        }
      </p>
      <form class="stack" novalidate @submit=${onSubmit(() => dispatch({ type: 'actAs' }))}>
        ${field({
          id: 'act-as',
          name: 'otherUserId',
          label: 'Their user id',
          mono: true,
          value,
          onInput: (text) => dispatch({ type: 'actAsDraftChanged', text }),
        })}
        <button type="submit" class="btn btn-primary" ?disabled=${state.actAs.busy}>
          ${state.actAs.busy ? 'Asking AWS…' : `Try to act as ${target ?? 'this user'}`}
        </button>
      </form>
      <div class="result-slot" role="status">${actAsResult(state)}</div>
    </section>
    <section class="ids" aria-labelledby="ids-title">
      <h3 id="ids-title">Your identifiers</h3>
      <dl class="facts">
        <div>
          <dt>Your user id</dt>
          <dd>
            <code data-testid="user-id">${me.sub}</code>
            <span class="hint">Share it so others can add you to a channel.</span>
          </dd>
        </div>
        <div>
          <dt>Principal tag</dt>
          <dd>
            <code data-testid="principal-tag">${ctx.principalTagKey} = ${me.sub}</code>
            <span class="hint"
              >Set by the identity pool from your ID token's <code>sub</code>.</span
            >
          </dd>
        </div>
      </dl>
      <details class="more-facts">
        <summary>More identifiers</summary>
        <dl class="facts">
          <div>
            <dt>Identity id</dt>
            <dd><code data-testid="identity-id">${me.identityId ?? '-'}</code></dd>
          </div>
          <div>
            <dt>AppInstanceUser ARN</dt>
            <dd><code data-testid="user-arn">${me.arn}</code></dd>
          </div>
        </dl>
      </details>
    </section>
  </div>`;
}

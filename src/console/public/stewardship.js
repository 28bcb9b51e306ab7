// The stewardship console's own script: plain browser JavaScript, no build step. htmx does the
// requests and swaps; this moves the focus to what an action produced (a notice, the first
// problem of a form), announces failures, copies invite links, reads a chosen file into the import
// form, and logs out.

const body = document.body;

/** After a swap, the reader continues where the result is: the element marked data-focus. */
function focusResult(/** @type {Element | null} */ root) {
  const target = root?.querySelector('[data-focus]') ?? (root?.matches?.('[data-focus]') ? root : null);
  if (target instanceof HTMLElement) {
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
  }
}

document.addEventListener('htmx:afterSettle', (event) => {
  const detail = /** @type {CustomEvent} */ (event).detail;
  focusResult(detail?.elt ?? null);
});

// A request that never got an answer (network down, server gone): say so in the live region.
document.addEventListener('htmx:sendError', () => {
  const flash = document.getElementById('flash');
  if (flash === null) return;
  flash.textContent = body.dataset.errorNetwork ?? 'The server could not be reached.';
});

document.addEventListener('click', async (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  const copy = target.closest('[data-copy]');
  if (copy instanceof HTMLElement) {
    try {
      await navigator.clipboard.writeText(copy.dataset.copy ?? '');
      const flash = document.getElementById('flash');
      if (flash !== null) flash.textContent = copy.dataset.copied ?? '';
    } catch {
      // No clipboard (an insecure origin): the link stays on screen to select by hand.
    }
    return;
  }
  if (target.closest('[data-logout]') !== null) {
    try {
      await fetch('/console/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-counterpart-csrf': '1' },
        body: '{}',
      });
    } finally {
      location.assign('/');
    }
  }
});

// A chosen file's text goes into the box the form sends (the import page), so the form stays an
// ordinary form: without JavaScript the text can be pasted instead.
document.addEventListener('change', async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'file' || input.dataset.loadInto === undefined)
    return;
  const target = document.getElementById(input.dataset.loadInto);
  const file = input.files?.[0];
  if (!(target instanceof HTMLTextAreaElement) || file === undefined) return;
  target.value = await file.text();
});

// A page that loads with a notice (after a redirect) or a form with problems starts there.
focusResult(document.getElementById('main'));

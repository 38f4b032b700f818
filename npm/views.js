// Route changes of a single-page app (the History API), for trackViews() in index.js.
// history.pushState and history.replaceState are wrapped once, the first time a watch starts
// (the wrappers call the page's own functions first, whatever they were, and return what they
// return); `popstate` covers back and forward, and `hashchange` fragment-only navigation.
// A change is reported when the page's address differs from the last one reported, without
// its fragment unless `hash` is set: a pushState to the same URL, a replaceState that only
// updates the state object, or a scroll to an anchor, is not a new view.

const watchers = new Set();
let wrapped = false;

function changed() {
  for (const w of watchers) {
    try { w(); } catch (_) {} // a watcher never breaks the page's navigation
  }
}

function wrap(name) {
  const own = history[name];
  if (typeof own != 'function') return;
  history[name] = function () {
    const result = own.apply(this, arguments);
    changed();
    return result;
  };
}

/** The page's address as a view: without the fragment unless `hash`. */
export function here(hash) {
  return hash ? location.href : location.href.split('#')[0];
}

/**
 * Calls `onView(address)` after each navigation that changes the address (see above).
 * Returns the function that stops it.
 */
export function watch(hash, last, onView) {
  const check = () => {
    const now = here(hash);
    if (now !== last()) onView(now);
  };
  if (!wrapped) {
    wrapped = true;
    wrap('pushState');
    wrap('replaceState');
    addEventListener('popstate', changed);
    addEventListener('hashchange', changed);
  }
  watchers.add(check);
  return () => watchers.delete(check);
}

// Types of the rtp-tag npm package. The rules the types state (1 to 4 strings per event) are
// the tag's own (README "What is valid"); the rest (blank, longer than 255) is checked at run time.

/** The values of a custom data event: one string, or an array of 1 to 4 strings. */
export type Values =
  | string
  | readonly [string]
  | readonly [string, string]
  | readonly [string, string, string]
  | readonly [string, string, string, string];

/** The data of `rtp('send', 'event', data)`. */
export interface CustomData {
  value: Values;
}

/** Why a call was refused (the console says more). */
export type Rejection =
  | 'missing_value'
  | 'no_values'
  | 'too_many_values'
  | 'not_a_string'
  | 'empty_value'
  | 'value_too_long'
  | 'invalid_text'
  | 'unreadable_data'
  | 'bad_page'
  | 'no_consent'
  | 'do_not_track'
  | 'rate_limited'
  | 'bad_account'
  | 'bad_endpoint'
  | 'insecure_endpoint'
  | 'unknown_setting';

/**
 * What a call returns once the tag is running. `undefined` means the call was queued: the wasm
 * is not ready yet (it is replayed in order once it is), or the page is rendered on a server
 * (no `window`), where calls do nothing. `'busy'`: called from inside the tag (a getter, a
 * callback); `'error'`: the tag failed (logged).
 */
export type Verdict = 'accepted' | 'duplicate' | 'ok' | 'ignored' | 'busy' | 'error' | Rejection;

/** Sends a custom data event: counted once per visitor session. */
export function rtp(action: 'send', method: 'event', data: CustomData | Values): Verdict | undefined;
/** Sends a page view, of the current page or of `url`. */
export function rtp(action: 'send', method: 'view', url?: string): Verdict | undefined;
/** Sets the account id carried by every later event. */
export function rtp(action: 'setAccount', id: string): Verdict | undefined;
/** Sets the collector endpoint or the account. */
export function rtp(action: 'set', name: 'endpoint' | 'account', value: string): Verdict | undefined;
/** Logs accepted events to the console (debug level). */
export function rtp(action: 'set', name: 'debug', value: boolean): Verdict | undefined;
/**
 * The visitor's consent. `false` forgets every event the tag holds and drops later sends
 * (`'no_consent'`) until `true`. Not remembered: say it on each page load, before any send.
 */
export function rtp(action: 'set', name: 'consent', value: boolean): Verdict | undefined;
/** Honour Do Not Track and Global Privacy Control: when the browser sends either, nothing is stored or sent. */
export function rtp(action: 'set', name: 'honorDnt', value: boolean): Verdict | undefined;
/**
 * Resolves `true` once everything accepted so far is acknowledged by the collector, `false`
 * if a batch failed meanwhile (`callback` gets the same). Prefer {@link flush}.
 */
export function rtp(action: 'flush', callback?: (delivered: boolean) => void): Promise<boolean> | undefined;

/** The tag's settings; each key given is applied as `rtp('set', key, value)`: honorDnt, consent, endpoint, account, debug. */
export interface Options {
  /** The collector URL. */
  endpoint?: string;
  /** The account id carried by every later event. */
  account?: string;
  /** Log accepted events to the console (debug level). */
  debug?: boolean;
  /** The visitor's consent: `false` stores and sends nothing (and forgets what is held) until `true`. */
  consent?: boolean;
  /** Honour Do Not Track and Global Privacy Control (off by default). */
  honorDnt?: boolean;
}

/** Applies `options`; a bad value gets a console warning and is ignored. Never throws. */
export function configure(options: Options): void;

/**
 * Resolves `true` once every event accepted so far is acknowledged by the collector, `false`
 * once an attempt failed (the events stay queued and are retried) or the wasm failed to load.
 * On a server it resolves `true` at once (nothing is accepted there).
 */
export function flush(): Promise<boolean>;

/** Options of {@link trackViews}. */
export interface ViewOptions {
  /** Send a view of the current page at once (default `true`); `false` when the page sends its first view itself. */
  initial?: boolean;
  /** A change of the fragment alone (`#…`) is a new view (default `false`): for hash routers. */
  hash?: boolean;
}

/**
 * Sends a page view of the current page now, and one after every route change of a
 * single-page app (`history.pushState`, `replaceState`, back and forward), when the address
 * (without its fragment, unless `hash`) differs from the last view sent. Call it once, at the
 * app's start (in React, in an effect of the root component). Returns the function that stops
 * it; calling it again while it runs returns the same function and sends nothing.
 */
export function trackViews(options?: ViewOptions): () => void;

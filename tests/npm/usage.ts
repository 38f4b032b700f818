// What an app writes with the npm package: the valid uses type-check, and each mistake the
// types are there to catch is an error (`@ts-expect-error` fails the check if it is not).
import { configure, flush, rtp, trackViews, type Options, type Values, type Verdict, type ViewOptions } from 'rtp-tag';

configure({ endpoint: 'https://collect.example.com/rtp', account: 'demo-account', debug: true });
configure({});
configure({ consent: false, honorDnt: true });
rtp('set', 'consent', true);
rtp('set', 'honorDnt', false);

const one: Verdict | undefined = rtp('send', 'event', { value: 'MyEvent' });
rtp('send', 'event', { value: ['MyEvent', 'download - example whitepaper'] });
rtp('send', 'event', { value: ['a', 'b', 'c', 'd'] });
rtp('send', 'event', 'a bare string');
rtp('send', 'event', ['a', 'b']);
const fixed = ['a', 'b'] as const;
rtp('send', 'event', { value: fixed });
rtp('send', 'view');
rtp('send', 'view', 'https://www.example.com/virtual');
rtp('setAccount', 'demo-account');
rtp('set', 'endpoint', 'https://collect.example.com/rtp');
rtp('set', 'debug', false);
rtp('flush', (delivered: boolean) => void delivered);

const stopViews: () => void = trackViews();
trackViews({ initial: false, hash: true });
const viewOptions: ViewOptions = { hash: false };
stopViews();

async function leaving(): Promise<boolean> {
  return flush();
}

// @ts-expect-error: at most 4 values per call
rtp('send', 'event', { value: ['a', 'b', 'c', 'd', 'e'] });
// @ts-expect-error: a value is a string, not a number
rtp('send', 'event', { value: 1 });
// @ts-expect-error: not an array of numbers either
rtp('send', 'event', { value: ['a', 2] });
// @ts-expect-error: an empty array has no value
rtp('send', 'event', { value: [] });
// @ts-expect-error: value is required
rtp('send', 'event', {});
// @ts-expect-error: the data of an event is required
rtp('send', 'event');
// @ts-expect-error: an unknown method
rtp('send', 'click', { value: 'a' });
// @ts-expect-error: consent is a boolean, not a string
rtp('set', 'consent', 'false');
// @ts-expect-error: debug is a boolean
rtp('set', 'debug', 'yes');
// @ts-expect-error: the endpoint is a string
configure({ endpoint: new URL('https://collect.example.com/rtp') });
// @ts-expect-error: an unknown option
configure({ endpoint: 'https://collect.example.com/rtp', acount: 'typo' });
// @ts-expect-error: flush takes no arguments
flush(() => {});
// @ts-expect-error: an unknown option of trackViews
trackViews({ hashes: true });
// @ts-expect-error: initial is a boolean
trackViews({ initial: 'yes' });
const many: string[] = ['a', 'b'];
// @ts-expect-error: a string[] may hold 5 values: narrow it to a tuple first
rtp('send', 'event', { value: many });

const options: Options = { debug: false };
const values: Values = ['a'];
export { one, leaving, options, values, viewOptions };

// A small single-page app without a framework: three routes on the History API, a button that
// sends a custom data event, and the views that trackViews() sends on each route change.
import { configure, flush, rtp, trackViews } from 'rtp-tag';

configure({ endpoint: '/collect', account: 'demo-account' });

// The folder of the page the app started on (index.html or both.html): routes live beside it,
// and the page itself is the home route.
const base = location.pathname.replace(/[^/]*$/, '');
const routes = { '': 'Home', pricing: 'Pricing', docs: 'Docs' };
let clicks = 0; // numbered outputs ("2 duplicate"): a test can tell a new answer from the last
let flushes = 0;
const route = () => {
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '';
  return path.endsWith('.html') ? '' : path;
};

const app = document.getElementById('app');
app.innerHTML = `
  <nav>${Object.entries(routes).map(([to, name]) => `<a id="nav-${to || 'home'}" href="${base + to}" data-to="${to}">${name}</a>`).join(' ')}</nav>
  <h1 id="title"></h1>
  <button id="download">Download the whitepaper</button>
  <button id="flush">Delivered?</button>
  <p>Verdict: <output id="verdict"></output> · delivered: <output id="delivered"></output></p>`;
const $ = (id) => document.getElementById(id);
const render = () => ($('title').textContent = routes[route()] ?? 'Not found');

app.querySelector('nav').addEventListener('click', (e) => {
  const to = e.target.dataset && e.target.dataset.to;
  if (to === undefined) return;
  e.preventDefault();
  history.pushState(null, '', base + to);
  render();
});
addEventListener('popstate', render);
$('download').addEventListener('click', () => {
  $('verdict').textContent = `${++clicks} ${rtp('send', 'event', { value: 'download - example whitepaper' })}`;
});
$('flush').addEventListener('click', async () => {
  const n = ++flushes;
  $('delivered').textContent = `${n} ${await flush()}`;
});

render();
trackViews();

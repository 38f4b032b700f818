// A small single-page app: three routes on the History API, a button that sends a custom data
// event, and the views that trackViews() sends on each route change.
import { useEffect, useState } from 'react';
import { flush, rtp, trackViews } from 'rtp-tag';

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

export function App() {
  const [path, setPath] = useState(route);
  const [verdict, setVerdict] = useState('');
  const [delivered, setDelivered] = useState('');

  // One view of the first page, and one per route change (StrictMode's second effect sends none).
  useEffect(() => trackViews(), []);
  useEffect(() => {
    const back = () => setPath(route());
    addEventListener('popstate', back);
    return () => removeEventListener('popstate', back);
  }, []);

  const go = (to) => (e) => {
    e.preventDefault();
    history.pushState(null, '', base + to);
    setPath(to);
  };
  const download = () => setVerdict(`${++clicks} ${rtp('send', 'event', { value: 'download - example whitepaper' })}`);
  const check = async () => {
    const n = ++flushes;
    setDelivered(`${n} ${await flush()}`);
  };

  return (
    <main>
      <nav>
        {Object.entries(routes).map(([to, name]) => (
          <a key={to} id={`nav-${to || 'home'}`} href={base + to} onClick={go(to)}>{name}</a>
        ))}
      </nav>
      <h1 id="title">{routes[path] ?? 'Not found'}</h1>
      <button id="download" onClick={download}>Download the whitepaper</button>
      <button id="flush" onClick={check}>Delivered?</button>
      <p>Verdict: <output id="verdict">{verdict}</output> · delivered: <output id="delivered">{delivered}</output></p>
    </main>
  );
}

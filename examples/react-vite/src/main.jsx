import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { configure } from 'rtp-tag';
import { App } from './App.jsx';

// The collector: the same origin as the app (the dev server forwards /collect to it).
configure({ endpoint: '/collect', account: 'demo-account' });

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

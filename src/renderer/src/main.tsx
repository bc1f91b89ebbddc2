import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { applyStoredTheme } from './lib/theme';
import './styles/base.css';
import './styles/controls.css';
import './styles/components.css';
import './styles/live.css';
import './styles/inspector.css';
import './styles/waterfall.css';
import './styles/inspector-tabs.css';
import './styles/frames.css';
import './styles/usage.css';
import './styles/providers.css';
import './styles/settings.css';
import './styles/setup.css';

applyStoredTheme();
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

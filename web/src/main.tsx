import { render } from 'preact';
import './style.css';
import { App } from './shell/App';

render(<App />, document.getElementById('app')!);

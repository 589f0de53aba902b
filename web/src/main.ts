import './style.css';
import { mount } from './app';

mount(document.getElementById('app')!);

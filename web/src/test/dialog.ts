// pressEscape does what a browser does when Escape is pressed in a modal
// <dialog> (happy-dom does not): a cancel event the page may refuse, and
// if it does not, the dialog closes. A second Escape right after a refused
// one closes the dialog whatever the page says (closeAnyway).
import { act, fireEvent } from '@testing-library/preact';

export function pressEscape(dialog: HTMLElement) {
  const d = dialog as HTMLDialogElement;
  fireEvent.keyDown(d, { key: 'Escape' });
  const cancel = new Event('cancel', { cancelable: true });
  fireEvent(d, cancel);
  if (!cancel.defaultPrevented) act(() => d.close());
}

export function closeAnyway(dialog: HTMLElement) {
  const d = dialog as HTMLDialogElement;
  fireEvent.keyDown(d, { key: 'Escape' });
  fireEvent(d, new Event('cancel', { cancelable: false }));
  act(() => d.close());
}

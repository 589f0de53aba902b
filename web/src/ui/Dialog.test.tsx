import { fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { describe, expect, it, vi } from 'vitest';
import { closeAnyway, pressEscape } from '../test/dialog';
import { Dialog } from './Dialog';

// Opener is a page with a button that opens a dialog, closed by its
// onClose (as every screen of the app does).
function Opener(props: { sticky?: boolean; onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>Open the dialog</button>
      {open ? (
        <Dialog title="Important code" sticky={props.sticky} describedBy="dialog-text" onClose={() => { props.onClose?.(); if (!props.sticky) setOpen(false); }}>
          <p id="dialog-text">Write it down.</p>
          <button type="button">Inside</button>
          <button type="button" onClick={() => setOpen(false)}>Done</button>
        </Dialog>
      ) : null}
    </>
  );
}

function open() {
  const opener = screen.getByRole('button', { name: 'Open the dialog' });
  opener.focus();
  fireEvent.click(opener);
  return { opener, dialog: screen.getByRole('dialog', { name: 'Important code' }) };
}

describe('Dialog', () => {
  it('is a modal named by its title and described by its text', () => {
    render(<Opener />);
    const { dialog } = open();
    expect((dialog as HTMLDialogElement).open).toBe(true);
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('dialog', { name: 'Important code', description: 'Write it down.' })).toBe(dialog);
  });

  it('closes on Escape through onClose, and the focus goes back to the opener', () => {
    const onClose = vi.fn();
    render(<Opener onClose={onClose} />);
    const { opener, dialog } = open();
    screen.getByRole('button', { name: 'Inside' }).focus();
    pressEscape(dialog);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('gives the focus back to the opener when closed by a button too', () => {
    render(<Opener />);
    const { opener } = open();
    const done = screen.getByRole('button', { name: 'Done' });
    done.focus();
    fireEvent.click(done);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('stays open on Escape when sticky, and calls onClose to say why', () => {
    const onClose = vi.fn();
    render(<Opener sticky onClose={onClose} />);
    const { dialog } = open();
    pressEscape(dialog);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('dialog', { name: 'Important code' })).toBe(dialog);
    expect((dialog as HTMLDialogElement).open).toBe(true);
  });

  it('opens again when a second Escape closes a sticky one anyway', () => {
    const onClose = vi.fn();
    render(<Opener sticky onClose={onClose} />);
    const { dialog } = open();
    pressEscape(dialog);
    closeAnyway(dialog);
    expect((dialog as HTMLDialogElement).open).toBe(true);
    expect(screen.getByRole('dialog', { name: 'Important code' })).toBeTruthy();
    expect(onClose.mock.calls.length).toBeGreaterThanOrEqual(2);
  });
});

import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { TopBar } from './TopBar';

describe('TopBar', () => {
  it('offers search only where given, and Lock and the menu always', () => {
    const onLock = vi.fn(), onMenu = vi.fn(), onInput = vi.fn();
    const { rerender } = render(<TopBar title="Passwords" email="ann@acme.example" navOpen={false} onMenu={onMenu} onLock={onLock} search={{ value: '', onInput }} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Passwords' })).toBeTruthy();
    fireEvent.input(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'git' } });
    expect(onInput).toHaveBeenCalledWith('git');
    const menu = screen.getByRole('button', { name: 'Menu', expanded: false });
    fireEvent.click(menu);
    expect(onMenu).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Lock' }));
    expect(onLock).toHaveBeenCalled();
    rerender(<TopBar title="Account" email="ann@acme.example" navOpen onMenu={onMenu} onLock={onLock} />);
    expect(screen.queryByRole('searchbox')).toBeNull();
    expect(screen.getByRole('button', { name: 'Menu', expanded: true })).toBeTruthy();
  });
});

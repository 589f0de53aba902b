import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { Field } from './Field';

describe('Field', () => {
  it('is an input labelled by its label', () => {
    const onInput = vi.fn();
    render(<Field label="E-mail" id="email" type="email" value="" onInput={onInput} />);
    const input = screen.getByRole('textbox', { name: 'E-mail' });
    fireEvent.input(input, { target: { value: 'ann@acme.example' } });
    expect(onInput).toHaveBeenCalledWith('ann@acme.example');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(input.getAttribute('aria-describedby')).toBeNull();
  });

  it('ties its error to the input and marks it invalid', () => {
    render(<Field label="E-mail" id="email" value="ann@" onInput={vi.fn()} error="Not an address." hint="Your work address." />);
    const input = screen.getByRole('textbox', { name: 'E-mail', description: 'Not an address.' });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByText('Your work address.')).toBeNull(); // the error says what matters now
  });

  it('ties its hint to the input without marking it invalid', () => {
    render(<Field label="Code" id="code" value="" onInput={vi.fn()} hint="The code comes by another channel." />);
    const input = screen.getByRole('textbox', { name: 'Code', description: 'The code comes by another channel.' });
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });

  it('takes the focus when it appears with autofocus', () => {
    render(<Field label="Name" id="name" value="" onInput={vi.fn()} autofocus />);
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' }));
  });
});

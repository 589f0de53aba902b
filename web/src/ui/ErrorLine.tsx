// ErrorLine says what went wrong, where it went wrong, in words.
export function ErrorLine(props: { error: string }) {
  return props.error ? <p class="error" role="alert">{props.error}</p> : null;
}

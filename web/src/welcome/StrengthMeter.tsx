import { MIN_LENGTH, strength } from '../strength';

// StrengthMeter shows how strong a new master password is, under its
// field (sign-up, and a sign-up after single sign-on).
export function StrengthMeter(props: { password: string }) {
  const st = strength(props.password);
  return (
    <div class="meter" data-score={String(st.score)}>
      <meter min={0} max={4} value={st.score} aria-label="Password strength" />
      <span id="strength">{props.password ? st.label : `At least ${MIN_LENGTH} characters; a few unrelated words work well.`}</span>
    </div>
  );
}

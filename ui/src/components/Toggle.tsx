// A labelled on/off switch (a checkbox with role=switch) with a line of help under its label.
type ToggleProps = { label: string; help: string; checked: boolean; onChange: (on: boolean) => void; testId: string };

export function Toggle({ label, help, checked, onChange, testId }: ToggleProps) {
  return (
    <label class="toggle">
      <input
        type="checkbox"
        role="switch"
        class="toggle__input"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        data-testid={testId}
      />
      <span class="toggle__track" aria-hidden="true" />
      <span class="toggle__text">
        <span class="toggle__label">{label}</span>
        <span class="field__help">{help}</span>
      </span>
    </label>
  );
}

/** Form and content components shared by every module. Text is escaped with `safe`. */

export type FieldErrors = Record<string, string>;

type FieldProps = {
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value?: string | number | null | undefined;
  type?: 'text' | 'email' | 'password' | 'search' | 'tel' | 'url' | 'number' | 'date' | 'file';
  required?: boolean;
  autocomplete?: string;
  inputClass?: string;
  spellcheck?: boolean;
  /** For file inputs: the accepted types. */
  accept?: string;
};

export const fieldId = (name: string) => `champ-${name}`;

/** The ids of the hint and error that describe a control, for `aria-describedby`. */
function describedBy(props: FieldProps): string | undefined {
  const id = fieldId(props.name);
  return (
    [props.hint ? `${id}-aide` : '', props.error ? `${id}-erreur` : ''].filter(Boolean).join(' ') || undefined
  );
}

/** A control's hint and error (ids `<id>-aide`, `<id>-erreur` for `aria-describedby`). */
export function FieldMessages({
  id,
  hint,
  error,
}: {
  id: string;
  hint?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <>
      {hint ? (
        <span class="field__hint" id={`${id}-aide`} safe>
          {hint}
        </span>
      ) : (
        ''
      )}
      {error ? (
        <span class="field__error" id={`${id}-erreur`}>
          <span class="visually-hidden">Erreur : </span>
          <span safe>{error}</span>
        </span>
      ) : (
        ''
      )}
    </>
  );
}

/** Label, hint and error around a control, the same for every kind of field. */
function FieldFrame({
  props,
  children: safeControl,
}: {
  props: FieldProps;
  children: JSX.Element;
}): JSX.Element {
  const id = fieldId(props.name);
  return (
    <div class={props.error ? 'field field--error' : 'field'}>
      <label for={id} safe>
        {props.label}
      </label>
      <FieldMessages id={id} hint={props.hint} error={props.error} />
      {safeControl}
    </div>
  );
}

const text = (value: FieldProps['value']) =>
  value === null || value === undefined ? undefined : String(value);

/** A labelled input with its hint and its error, wired for screen readers. */
export function Field(props: FieldProps): JSX.Element {
  return (
    <FieldFrame props={props}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'file' ? undefined : text(props.value)}
        accept={props.accept}
        required={props.required}
        autocomplete={props.autocomplete}
        spellcheck={props.spellcheck === false ? 'false' : undefined}
        class={props.inputClass}
        aria-describedby={describedBy(props)}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line text field, wired like `Field`. */
/** The hint of every free-text field about a person: what must never be written there. */
export const FREE_TEXT_HINT =
  'Seulement ce qui sert à l’accompagnement. N’écrivez rien sur la santé, la religion, les opinions, la vie privée, ni de numéro de sécurité sociale.';

export function TextArea(props: Omit<FieldProps, 'type'> & { rows?: number }): JSX.Element {
  return (
    <FieldFrame props={props}>
      <textarea
        id={fieldId(props.name)}
        name={props.name}
        rows={String(props.rows ?? 4)}
        required={props.required}
        aria-describedby={describedBy(props)}
        aria-invalid={props.error ? 'true' : undefined}
        safe
      >
        {text(props.value) ?? ''}
      </textarea>
    </FieldFrame>
  );
}

type Option = { value: string; label: string };

/** A labelled drop-down list, wired like `Field`; `groups` follow the options, each under its label. */
export function Select(
  props: Omit<FieldProps, 'type'> & { options: Option[]; groups?: { label: string; options: Option[] }[] },
): JSX.Element {
  const option = (o: Option) => (
    <option value={o.value} selected={o.value === text(props.value)} safe>
      {o.label}
    </option>
  );
  return (
    <FieldFrame props={props}>
      <select
        id={fieldId(props.name)}
        name={props.name}
        aria-describedby={describedBy(props)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        {props.options.map(option)}
        {(props.groups ?? []).map((g) => (
          <optgroup label={g.label}>{g.options.map(option)}</optgroup>
        ))}
      </select>
    </FieldFrame>
  );
}

/**
 * For a person who manages several collectivités (an administrator): a GET form that reloads the
 * page for another one. Nothing when there is only one to choose.
 */
export function CollectiviteSwitcher(props: {
  action: string;
  choices: { id: number; name: string }[];
  current: number;
  submit: string;
}): JSX.Element {
  if (props.choices.length <= 1) return <></>;
  return (
    <form method="get" action={props.action} class="inline-form">
      <Select
        name="collectivite"
        label="Collectivité"
        options={props.choices.map((c) => ({ value: String(c.id), label: c.name }))}
        value={String(props.current)}
      />
      <button type="submit" class="button button--secondary" safe>
        {props.submit}
      </button>
    </form>
  );
}

/** A one-field form asking for a one-time code (sign-in, enrolment, confirmation). */
export function CodeForm(props: {
  action: string;
  csrf: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  submit: string;
  hidden?: Record<string, string>;
}): JSX.Element {
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrf} />
      {Object.entries(props.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <Field
        name="code"
        label={props.label}
        hint={props.hint}
        error={props.error}
        autocomplete="one-time-code"
        inputClass="input--short"
        spellcheck={false}
        required
      />
      <button type="submit" class="button" safe>
        {props.submit}
      </button>
    </form>
  );
}

// `autofocus` is a global attribute in HTML; @kitajs/html types it on form controls only.
const globalAutofocus = { autofocus: true };

/**
 * The summary at the top of a form that failed: each error links to its field. It takes the
 * focus when the page loads (`autofocus`, no script needed), so keyboard and screen-reader
 * users start from the list of problems.
 */
export function ErrorSummary({ errors }: { errors: FieldErrors }): JSX.Element {
  const entries = Object.entries(errors);
  if (entries.length === 0) return '';
  return (
    <div
      class="error-summary"
      role="alert"
      aria-labelledby="resume-erreurs"
      tabindex="-1"
      {...globalAutofocus}
    >
      <h2 id="resume-erreurs">Il y a un problème</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li>
            <a href={`#${fieldId(name)}`} safe>
              {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CsrfField({ token }: { token: string }): JSX.Element {
  return <input type="hidden" name="_csrf" value={token} />;
}

/**
 * A form of one secondary button that posts to `action` (withdraw, remove): `label` is what
 * the button says, `hidden` what a screen reader hears after it, naming what it acts on.
 */
export function PostButton(props: {
  action: string;
  csrf: string;
  label: string;
  hidden: string;
}): JSX.Element {
  return (
    <form method="post" action={props.action} class="inline-form">
      <CsrfField token={props.csrf} />
      <button type="submit" class="button button--secondary">
        <span safe>{props.label}</span>{' '}
        <span class="visually-hidden" safe>
          {props.hidden}
        </span>
      </button>
    </form>
  );
}

export function Notice({
  children: safeContent,
  kind,
}: {
  children?: JSX.Element;
  kind?: 'success';
}): JSX.Element {
  return (
    <div class={kind ? `notice notice--${kind}` : 'notice'} role={kind ? 'status' : undefined}>
      {safeContent}
    </div>
  );
}

/** The confirmation of what was just done (a page reached after a redirection), or nothing. */
export function Flash({ message }: { message: string | undefined }): JSX.Element {
  if (!message) return '';
  return (
    <Notice kind="success">
      <p safe>{message}</p>
    </Notice>
  );
}

export type Crumb = { href: string; label: string };

export function Breadcrumbs({ items }: { items: Crumb[] }): JSX.Element {
  return (
    <nav class="breadcrumbs" aria-label="Fil d’Ariane">
      <ol>
        {items.map((item) => (
          <li>
            <a href={item.href} safe>
              {item.label}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

const numberFormat = new Intl.NumberFormat('fr-FR');
/** A number in French notation; its output never holds markup, hence the `safe` name. */
export const safeNumber = (n: number) => numberFormat.format(n);

/**
 * A group of radio buttons or checkboxes with its legend, hint and error, wired like
 * `Field`. Option ids are `name-value` for code values, `name-index` for values that are
 * sentences (with spaces, not usable in an id).
 */
export function ChoiceGroup(props: {
  type: 'radio' | 'checkbox';
  name: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  checked: readonly string[];
  error?: string | undefined;
  hint?: string | undefined;
  className?: string;
  idBy?: 'value' | 'index';
}): JSX.Element {
  const id = fieldId(props.name);
  const optionId = (value: string, index: number) =>
    `${props.name}-${props.idBy === 'index' ? index : value}`;
  return (
    <fieldset
      class={[props.className, props.error ? 'field--error' : ''].filter(Boolean).join(' ') || undefined}
      id={id}
      aria-describedby={props.error ? `${id}-erreur` : undefined}
    >
      <legend safe>{props.legend}</legend>
      <FieldMessages id={id} hint={props.hint} error={props.error} />
      {props.options.map((o, i) => (
        <div class="checkbox">
          <input
            type={props.type}
            id={optionId(o.value, i)}
            name={props.name}
            value={o.value}
            checked={props.checked.includes(o.value)}
          />
          <label for={optionId(o.value, i)} safe>
            {o.label}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

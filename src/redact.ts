// The one redactor: every secret this process knows is replaced by [redacted] in text that leaves the process.
//
// Secrets are registered where they become known (configuration, derived forms such as HTTP Basic, tokens that
// OAuth obtains at run time, store passwords) and stay registered for the life of the process. Whatever an upstream
// echoes back (a JSON error, an HTML page, a dump of the request headers), the tool result, log line, audit line or
// MCP log notification built from it passes through here on its way out.

export const REDACTED = '[redacted]';

/**
 * Shorter secrets are refused by the configuration (see `assertRedactable`): a short value could also be an
 * ordinary word of a result, and replacing it everywhere would garble answers.
 */
export const MIN_SECRET_LENGTH = 8;

/** The spellings a secret takes in text: raw, inside a JSON string, percent-encoded, form-encoded. */
function spellings(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class Redactor {
  private readonly forms = new Set<string>();
  /** Every form, longest first (so a longer form wins over a secret it contains); undefined while none is known. */
  private pattern: RegExp | undefined;

  /** Registers secrets (empty or missing values are ignored). */
  add(...secrets: (string | undefined)[]): void {
    let changed = false;
    for (const secret of secrets) {
      if (!secret) continue;
      for (const form of spellings(secret)) {
        if (form.length < MIN_SECRET_LENGTH || this.forms.has(form)) continue;
        this.forms.add(form);
        changed = true;
      }
    }
    if (changed) {
      const alternatives = [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
  }

  text(text: string): string {
    if (!this.pattern) return text;
    return text.replace(this.pattern, REDACTED);
  }

  /** A copy of a JSON-like value with every string (and key) redacted; the value itself when nothing matched. */
  value<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const redacted = this.walk(item);
        if (redacted !== item) (copy ??= [...value])[i] = redacted;
      });
      return copy ?? value;
    }
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      let copy: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(value)) {
        const redactedKey = this.text(key);
        const redacted = this.walk(item);
        if (redactedKey === key && redacted === item) continue;
        copy ??= { ...(value as Record<string, unknown>) };
        if (redactedKey !== key) delete copy[key];
        copy[redactedKey] = redacted;
      }
      return copy ?? value;
    }
    return value;
  }
}

/** The process-wide redactor. */
export const redactor = new Redactor();

/** Why a secret setting's value cannot be used, or undefined when it can. */
export function secretProblem(value: string): string | undefined {
  return value.length < MIN_SECRET_LENGTH
    ? `is too short to be a credential (${value.length} characters; at least ${MIN_SECRET_LENGTH}, so that it can be redacted from every answer and log)`
    : undefined;
}

/**
 * The endpoint as it may be stored: scheme, host, port and path only. Userinfo, query and fragment are
 * dropped because that is where credentials hide (`https://user:key@host`, `?api_key=...`).
 */
export function redactEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Not a URL (a local model path, a socket name, a URL cut short): userinfo and a query-like tail are still cut.
    return (endpoint.split(/[?#]/, 1)[0] ?? '').replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1');
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Joins a model's replicas in `runs.endpoint` and `batches.replicas`: a URL holds no ", " (spaces are escaped). */
export const ENDPOINT_LIST_SEPARATOR = ', ';

/** A list of endpoints joined by {@link ENDPOINT_LIST_SEPARATOR}, each redacted. */
export function redactEndpoints(endpoints: string): string {
  return endpoints.split(ENDPOINT_LIST_SEPARATOR).map(redactEndpoint).join(ENDPOINT_LIST_SEPARATOR);
}

/** Absolute URLs quoted in free text: up to the first space, quote or angle bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

function hasCredentialParts(found: string): boolean {
  try {
    const url = new URL(found);
    return url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
  } catch {
    return /[@?#]/.test(found);
  }
}

/** `text` with every URL quoted in it redacted as by {@link redactEndpoint}; URLs without credential parts stay as written. */
export function redactUrlsIn(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (found) => (hasCredentialParts(found) ? redactEndpoint(found) : found));
}

/** A word of a field name that says the field holds a secret: `api_key`, `hfToken`, `Authorization`, `db_password`, `x-api-key`. */
const SECRET_WORD = /^(api|access|auth|bearer|client|private|refresh|session|secret)?(key|token|secrets?|password|passwd|passphrase|credentials?|auth|authorization)$/;

/**
 * Whether a field's name says it holds a secret, by its words (`max_tokens`, `keywords` and `author`
 * do not); a name ending in `env` (`api_key_env`) holds the name of the variable with the secret.
 */
function isSecretField(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.at(-1) !== 'env' && words.some((word) => SECRET_WORD.test(word));
}

/** Secret field values shorter than this are not scrubbed from other strings: they would match ordinary text. */
const MIN_SCRUBBED_FIELD_SECRET = 8;

/**
 * A parsed suite (or any JSON value) with its credentials removed: the suite is stored with each run
 * and exported, and its endpoint, metrics_url, any later URL field or a plugin's own fields may carry
 * them. Every string that is an http(s) URL is redacted as a whole, and every string under a field
 * whose name says secret (a plugin's `api_key: sk-…`; numbers such as `max_tokens` stay) becomes
 * "[redacted]"; the secrets found there are then scrubbed from every other string, wherever they
 * were copied (a description, a header), whatever surrounds them: a free-text pattern cannot know
 * where a password such as `PA'SS` ends.
 */
export function redactSuite<T>(suite: T): T {
  const found = new Set<string>();
  const fieldsRedacted = redactSecretFields(suite, (secret) => {
    if (secret.length >= MIN_SCRUBBED_FIELD_SECRET) found.add(secret);
  });
  const urlsRedacted = mapStrings(fieldsRedacted, (text) => {
    if (!isHttpUrl(text)) return text;
    for (const secret of urlSecrets(text)) found.add(secret);
    return redactEndpoint(text);
  });
  const secrets = longestFirst(found);
  // Secrets first: a URL quoted in text then reads whole, so its short parts (a 3-letter user) go too.
  return mapStrings(urlsRedacted, (text) => redactUrlsIn(redactSecretsIn(text, secrets))) as T;
}

/** `value` with the strings of its secret-named fields, at any depth, redacted and passed to `onSecret`. */
function redactSecretFields(value: unknown, onSecret: (secret: string) => void): unknown {
  if (Array.isArray(value)) return value.map((inner) => redactSecretFields(inner, onSecret));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      // A secret field's strings go, in a list too; an object under it is walked by its own field names.
      const isSecret = isSecretField(key) && (typeof inner === 'string' || Array.isArray(inner));
      const redacted = isSecret
        ? mapStrings(inner, (secret) => {
            onSecret(secret);
            return '[redacted]';
          })
        : redactSecretFields(inner, onSecret);
      return [key, redacted];
    }),
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((inner) => mapStrings(inner, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mapStrings(inner, map)]));
  }
  return value;
}

/** Longest first, so a secret that contains another is redacted whole. */
export function longestFirst(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

/**
 * The credential parts of a URL (userinfo, query values, fragment) as they may be echoed back in a
 * server's message, raw or decoded. Parts shorter than 4 characters are left out: they would match
 * ordinary text and cannot be told apart from it.
 */
export function urlSecrets(endpoint: string): string[] {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return [];
  }
  const raw = [url.username, url.password, url.hash.slice(1), ...url.search.slice(1).split('&').map((pair) => pair.slice(pair.indexOf('=') + 1))];
  const decoded = raw.map((part) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  });
  return longestFirst([...raw, ...decoded].filter((part) => part.length >= 4));
}

/** `text` with every occurrence of each secret replaced by "[redacted]". */
export function redactSecretsIn(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * The endpoint as it may be stored: scheme, host, port and path only. Userinfo, query and fragment are
 * dropped because that is where credentials hide (`https://user:key@host`, `?api_key=...`).
 */
export function redactEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Not a URL (a local model path, a socket name): nothing in it has URL credential syntax, but a query-like tail is still cut.
    return endpoint.split(/[?#]/, 1)[0] ?? '';
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}

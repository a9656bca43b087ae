import { describe, expect, it } from 'vitest';
import { redactEndpoint } from './endpoint.js';

describe('redactEndpoint', () => {
  it('drops userinfo, query and fragment, keeping scheme, host, port and path', () => {
    expect(redactEndpoint('https://user:sk-live-123@api.example.com:8443/v1/?api_key=sk-live-123&x=1#top')).toBe('https://api.example.com:8443/v1/');
    expect(redactEndpoint('http://localhost:8000/v1')).toBe('http://localhost:8000/v1');
  });

  it('cuts a query-like tail from something that is not a URL', () => {
    expect(redactEndpoint('models/classifier.onnx')).toBe('models/classifier.onnx');
    expect(redactEndpoint('localhost:8000/v1?key=secret')).not.toContain('secret');
  });
});

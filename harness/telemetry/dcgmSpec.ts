/** The suite fields naming a DCGM exporter (suite `telemetry` block and model entries share them). */
import { z } from 'zod';

/** dcgm-exporter listens on :9400 and serves /metrics (its README's quick start). */
const DCGM_DEFAULT_PORT = '9400';
const DCGM_DEFAULT_PATH = '/metrics';
const EXPLICIT_PORT = /^[a-z]+:\/\/(?:[^/@]*@)?(?:\[[^\]]*\]|[^:/?#]*):\d+/i;

/** A DCGM exporter's page; `completeDcgmUrl` fills in the exporter's default port and path. */
export const GpuMetricsUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://gpu-node:9400/metrics' });

/**
 * `http://gpu-node` means the exporter's default `http://gpu-node:9400/metrics`; a URL with a port but no
 * path gets `/metrics`; anything more explicit is used as written.
 */
export function completeDcgmUrl(text: string): string {
  const url = new URL(text);
  if (url.pathname !== '/' || url.search !== '') return text;
  // URL drops a scheme's default port (`:80`), so whether one was written is read off the text.
  if (!EXPLICIT_PORT.test(text)) url.port = DCGM_DEFAULT_PORT;
  url.pathname = DCGM_DEFAULT_PATH;
  return url.toString();
}

/**
 * Which of the exporter's GPUs count (all when absent): by `gpu` index, `uuid` (label `UUID`) or
 * Kubernetes `pod`; a GPU must match every list given. Energy and GPU time are summed over them.
 */
export const GpuSelection = z
  .object({
    gpu: z.array(z.union([z.number().int().min(0), z.string().min(1)])).min(1).optional(),
    uuid: z.array(z.string().min(1)).min(1).optional(),
    pod: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type GpuSelection = z.infer<typeof GpuSelection>;

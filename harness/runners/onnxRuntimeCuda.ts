/**
 * Whether onnxruntime-node can load its CUDA execution provider, asked before onnxruntime is: asked
 * for a provider whose library is missing, onnxruntime's native logger prints its own "Failed to load
 * library" line to stderr before it throws, and no JavaScript can catch that line. Both in-process
 * runners (onnx-classifier, and transformers.js, which runs on the same onnxruntime-node) use it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** What to do about it; `field` is the suite field that asked for CUDA. */
export function cudaFix(field: string): string {
  return `on a CUDA 12 host run ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install, or use ${field}: cpu`;
}

/** The CUDA provider's libraries where onnxruntime-node loads them: beside its native binding (bin/napi-v6/<platform>/<arch>). */
export function cudaProviderLibraries(): string[] {
  const binding = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  const names = process.platform === 'win32' ? ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll'] : ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
  return names.map((name) => path.join(binding, name));
}

/** Throws, naming the missing files and the fix, when the CUDA provider is not installed. */
export function assertCudaProviderInstalled(field: string): void {
  const missing = cudaProviderLibraries().filter((library) => !existsSync(library));
  if (missing.length === 0) return;
  throw new Error(
    `${field} 'cuda' is not available in this onnxruntime-node build (${missing.join(' and ')} missing: ` +
      `its install script fetches them, and logbench's allowScripts skips that script); ${cudaFix(field)}`,
  );
}

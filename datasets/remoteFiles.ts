/** A file fetched at run time instead of shipped (unclear licence, or too large), pinned by commit and sha256. */
export interface RemoteFile {
  url: string;
  sha256: string;
  /** Where the file sits below `--data-dir` and below the cache folder. */
  relPath: string;
  /** How its records are read once verified. */
  format: 'sharegpt';
}

const FPT_COMMIT = '62482ad729be1d1e50930c6d32506fbf926c493c';
const FPT_BASE = `https://raw.githubusercontent.com/fpt-corp/ai-studio/${FPT_COMMIT}/tutorials/log-tracking-and-alert-using-qwen3/data/final_data/json_analysis`;

/**
 * FPT AI Studio's "log tracking and alert" splits: the repo states no licence, so the files are never
 * shipped, only fetched and checked. Each is 100 ShareGPT records with gpt-4o-mini-made references.
 */
export const REMOTE_FILES = {
  'fpt-test': {
    url: `${FPT_BASE}/test_json.json`,
    sha256: '28485e4c95540801e5ad15e1b24b1522af2077a06f6d6150ae9ef3af3b191166',
    relPath: 'fpt-ai-studio-log-tracking/test_json.json',
    format: 'sharegpt',
  },
  'fpt-val': {
    url: `${FPT_BASE}/val_json.json`,
    sha256: 'a51df8619252f2e6530bff32ba926e6f1dd3783914eec493cc66e07181a36114',
    relPath: 'fpt-ai-studio-log-tracking/val_json.json',
    format: 'sharegpt',
  },
} as const satisfies Record<string, RemoteFile>;

export type RemoteName = keyof typeof REMOTE_FILES;
export const REMOTE_NAMES = Object.keys(REMOTE_FILES) as [RemoteName, ...RemoteName[]];

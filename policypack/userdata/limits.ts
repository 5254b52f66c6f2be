/** Caps that keep hostile user data bounded in time and memory. All configurable. */
export interface Limits {
  /** Largest decoded or decompressed size, in bytes. */
  maxBytes: number;
  /** Most MIME parts read. */
  maxParts: number;
  /** Deepest MIME nesting read. */
  maxDepth: number;
  /** Most YAML alias expansions in one document. */
  maxAliases: number;
  /** Deepest nesting of YAML, JSON or TOML structures. */
  maxNesting: number;
  /** How deep scripts that run other scripts are followed. */
  maxScriptDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBytes: 1024 * 1024,
  maxParts: 1000,
  maxDepth: 5,
  maxAliases: 100,
  maxNesting: 64,
  maxScriptDepth: 4,
};

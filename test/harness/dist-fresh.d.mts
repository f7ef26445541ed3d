/**
 * The `src/` files (paths relative to src/) whose compiled `.js` in `dist/`
 * is missing or older than the source; empty when dist/ is up to date.
 *
 * @param root - the repository root
 */
export function staleDistFiles(root: string): string[];

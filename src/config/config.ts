// Until src/guard imports from src/config/index.ts: the old module path, re-exporting it (delete once nothing imports it).
export * from './index.js';

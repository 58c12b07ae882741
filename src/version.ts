// Kept equal to package.json by test/plugin.test.ts (a JSON import would not survive the CommonJS build).
export const PLUGIN_NAME = 'db-connection-guard';
export const PLUGIN_VERSION = '0.1.0';
export const NAMESPACE = 'db-guard';

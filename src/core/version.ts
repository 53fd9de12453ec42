// The server's version, one place for --version, the start-up line and the MCP server info (a test keeps it equal to package.json's).
export const VERSION = '0.1.0';

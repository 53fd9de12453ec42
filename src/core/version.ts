// The server's version, one place for --version, the start-up line and the MCP server info (a test keeps it equal to package.json's).
export const VERSION = '0.1.0';

/** What every request to an upstream API says it comes from, so the API's operators can tell this server's traffic apart. */
export const USER_AGENT = `pinterest-api-mcp/${VERSION}`;

// Install without a registry entry: the npm tarball ships the right files, installs into an empty folder and serves MCP; Dockerfile, server.json and client docs agree.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  name: string;
  version: string;
  mcpName?: string;
  files: string[];
  scripts: Record<string, string>;
};
const TARBALL = `${pkg.name}-${pkg.version}.tgz`;
const CLONE_FORM = `/absolute/path/to/${pkg.name}/dist/index.js`;
const TARBALL_FORM = `file:/absolute/path/to/${TARBALL}`;
/** The registry form, `npx -y pinterest-api-mcp` (not `...-0.1.0.tgz`), on a command line or as JSON `args`. */
const PUBLISHED_FORM = new RegExp(`npx -y ${pkg.name}(?![\\w-]|\\.\\w)|"-y",\\s*"${pkg.name}"`);
/** npm failing to reach the registry, as opposed to the package failing to install. */
const NETWORK_ERROR =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED|ERR_SOCKET_TIMEOUT|E5\d\d|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\b|network|socket hang up/i;
const INSTALL_TIMEOUT_MS = 240_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** npm and npx read `npm_*` variables that `npm test` sets for its own package: drop those, keep the user's config. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(local_prefix|prefix|global|dry_run|json|ignore_scripts)$)/i.test(key)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, timeoutMs: number, env = childEnv()): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

async function must(command: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}):\n${result.stderr.slice(-2000)}`);
  }
  return result.stdout;
}

/** The text of a Markdown document's paragraphs (blank-line separated) that contain the registry form. */
function publishedParagraphs(text: string): string[] {
  return text.split(/\n[ \t]*\n/).filter((p) => PUBLISHED_FORM.test(p));
}

/** Clone and tarball forms are given, and before any registry form; every registry form says "once published". */
function expectRegistryFormLast(text: string, where: string): void {
  const clone = text.indexOf(CLONE_FORM);
  const tarball = text.indexOf(TARBALL_FORM);
  expect(clone, `${where}: clone form ${CLONE_FORM}`).toBeGreaterThanOrEqual(0);
  expect(tarball, `${where}: tarball form ${TARBALL_FORM}`).toBeGreaterThanOrEqual(0);
  const published = text.search(PUBLISHED_FORM);
  if (published >= 0) {
    expect(clone, `${where}: clone form before the registry form`).toBeLessThan(published);
    expect(tarball, `${where}: tarball form before the registry form`).toBeLessThan(published);
  }
  for (const paragraph of publishedParagraphs(text)) expect(paragraph, where).toMatch(/once published/i);
  // npx executes a bare absolute path instead of installing it: the tarball form needs `file:`.
  expect(text, `${where}: bare absolute tarball path`).not.toMatch(/npx -y \/\S*\.tgz|"-y",\s*"\/[^"]*\.tgz"/);
}

describe('the npm tarball', () => {
  let work = '';
  let packDir = '';
  let installDir = '';
  let tarball = '';
  let files: string[] = [];
  /** Why the install-dependent checks are skipped (no registry and nothing in the npm cache), if they are. */
  let offline: string | undefined;
  let installedBin = '';
  /** What npm said while installing the tarball (its warnings). */
  let installLog = '';
  let npxDir = '';
  let npxBefore = new Set<string>();

  beforeAll(async () => {
    const started = Date.now();
    // The suite runs after a build; alone, this file builds once.
    if (!existsSync(join(root, 'dist/index.js'))) await must('npm', ['run', 'build'], root, 600_000);
    work = tempDir('pack-test-');
    packDir = join(work, 'pack');
    installDir = join(work, 'install');
    mkdirSync(packDir);
    mkdirSync(installDir);
    const stdout = await must('npm', ['pack', '--json', '--pack-destination', packDir], root, 120_000);
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(packDir, packed.filename);
    files = packed.files.map((f) => f.path);

    // Installed as a user installs it, install scripts allowed: nothing in the tree has one (checked below).
    const install = await run('npm', ['install', tarball, '--prefix', installDir, '--prefer-offline', '--no-audit', '--no-fund'], installDir, INSTALL_TIMEOUT_MS);
    installLog = install.stderr;
    if (install.code !== 0) {
      const said = install.stderr.split('\n').filter((l) => /npm (error|ERR)/i.test(l)).slice(0, 4).join(' | ');
      if (!install.timedOut && !NETWORK_ERROR.test(install.stderr)) throw new Error(`npm install of ${packed.filename} failed:\n${install.stderr.slice(-3000)}`);
      offline = install.timedOut
        ? `npm install timed out after ${INSTALL_TIMEOUT_MS / 1000} s (registry unreachable?)`
        : `npm could not reach the registry and the npm cache lacks a dependency (${said})`;
      console.warn(`test/scenarios/pack.test.ts: skipping the install checks: ${offline}`);
    } else {
      installedBin = join(installDir, 'node_modules/.bin', pkg.name);
    }
    npxDir = join((await must('npm', ['config', 'get', 'cache'], work, 30_000)).trim(), '_npx');
    npxBefore = new Set(existsSync(npxDir) ? readdirSync(npxDir) : []);
    console.info(`test/scenarios/pack.test.ts: pack and install took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 900_000);

  afterAll(() => {
    // Remove only the npx installs these tests made: new since beforeAll, and of this run's tarball.
    if (npxDir && existsSync(npxDir)) {
      for (const entry of readdirSync(npxDir)) {
        if (npxBefore.has(entry)) continue;
        const manifest = join(npxDir, entry, 'package.json');
        if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(basename(work))) rmSync(join(npxDir, entry), { recursive: true, force: true });
      }
    }
  });

  it(`is named ${TARBALL} and holds dist/index.js, LICENSE and the prompts, without tests, TypeScript sources or source maps`, () => {
    expect(tarball.endsWith(`/${TARBALL}`)).toBe(true);
    const prompts = readdirSync(join(root, 'prompts')).filter((f) => f.endsWith('.md'));
    expect(prompts.length).toBeGreaterThan(0);
    const expected = ['package.json', 'dist/index.js', 'dist/fake-api.js', 'LICENSE', 'README.md', ...prompts.map((p) => `prompts/${p}`)];
    expect(expected.filter((f) => !files.includes(f))).toEqual([]);
    // Lean: the entry, the chunks it loads on use (scripts/bundle.mjs: name-HASH.js) with their bundled licence notices
    // (name-HASH.js.LEGAL.txt), the demo's fake API, the catalogs' JSON and what the build precomputed are all of dist/ (no compiled tree,
    // no fakes beside them).
    const dist = files.filter((f) => f.startsWith('dist/'));
    // Each licence notice sits beside its bundle file.
    for (const notice of dist.filter((f) => f.endsWith('.LEGAL.txt'))) expect(dist, notice).toContain(notice.replace(/\.LEGAL\.txt$/, ''));
    // (A chunk is named after the module it starts from: `responses.generated-HASH.js` for an API's response shapes.)
    expect(dist.filter((f) => !/^dist\/[a-z.-]+-[A-Z0-9]{8}\.js$/.test(f) && !f.endsWith('.js.LEGAL.txt')).sort()).toEqual([
      'dist/fake-api.js',
      'dist/help.txt',
      'dist/index.js',
      'dist/listings-confirmation.json',
      'dist/listings.json',
      'dist/pinterest-operations.json',
      'dist/pinterest-responses.json',
      'dist/pinterest-schemas.json',
      'dist/whop-operations.json',
      'dist/whop-responses.json',
      'dist/whop-schemas.json',
    ]);
    expect(dist.some((f) => /^dist\/serve-[A-Z0-9]{8}\.js$/.test(f))).toBe(true);
    // The README states the tarball's size (about 770 KB); a compiled tree or the fakes beside the bundles would pass 900 KB.
    expect(statSync(tarball).size).toBeLessThan(900_000);
    expect(files.filter((f) => /^(test|src|scripts|bench|fakes|reference)\//.test(f) || /\.[cm]?ts$/.test(f) || f.endsWith('.map'))).toEqual([]);
    // No script of ours runs at install time (a user's --ignore-scripts would skip it).
    expect(Object.keys(pkg.scripts).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s))).toEqual([]);
  });

  it('installs with no install script and no native build anywhere in its dependency tree, and no engine warning', async (ctx) => {
    if (offline) ctx.skip(offline);
    // A package with an install script, or a binding.gyp (npm runs node-gyp for it), compiles or downloads at install.
    const building: string[] = [];
    const walk = (dir: string) => {
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        if (name.startsWith('.')) continue;
        const path = join(dir, name);
        if (name.startsWith('@')) {
          walk(path);
          continue;
        }
        const manifest = join(path, 'package.json');
        if (!existsSync(manifest)) continue;
        const { scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
        const hooks = ['preinstall', 'install', 'postinstall'].filter((hook) => scripts[hook]);
        if (hooks.length || existsSync(join(path, 'binding.gyp'))) building.push(`${name}: ${hooks.join(', ') || 'binding.gyp'}`);
        walk(join(path, 'node_modules'));
      }
    };
    walk(join(installDir, 'node_modules'));
    expect(building).toEqual([]);
    expect(installLog).not.toMatch(/EBADENGINE|Unsupported engine/);
  });

  it('installs into an empty folder, and its bin prints the version', async (ctx) => {
    if (offline) ctx.skip(offline);
    const result = await run(installedBin, ['--version'], work, 30_000);
    expect(result.stdout.trim()).toBe(pkg.version);
    expect(result.stdout.trim()).toBe('0.1.0');
  });

  it('its installed bin serves MCP over stdio in --demo mode: tools (with campaigns_create) and prompts', async (ctx) => {
    if (offline) ctx.skip(offline);
    const transport = new StdioClientTransport({
      command: installedBin,
      args: ['--demo', '--log-level', 'warn'],
      cwd: work, // not the clone: everything must come from the installed package
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const client = new Client({ name: 'pack-test', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      expect(tools.map((t) => t.name)).toContain('campaigns_create');
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toContain('launch_campaign');
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver stderr:\n${stderr}`);
    } finally {
      await client.close();
    }
  });

  it('runs through npx from the tarball: `npx -y ./<tarball> --demo` and the documented `npx -y file:<path>`', async (ctx) => {
    if (offline) ctx.skip(offline);
    // npx takes its settings from the environment here: npm flags before the package spec can swallow it.
    const env = childEnv({ npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' });
    // --demo over stdio with stdin already closed: starts, reports ready, shuts down cleanly.
    const demo = await run('npx', ['-y', `./${TARBALL}`, '--demo'], packDir, INSTALL_TIMEOUT_MS, env);
    expect(demo.stderr).toMatch(new RegExp(`${pkg.name} ${pkg.version} ready on stdio`));
    expect(demo.code, demo.stderr.slice(-2000)).toBe(0);
    const version = await run('npx', ['-y', `file:${tarball}`, '--version'], work, INSTALL_TIMEOUT_MS, env);
    expect(version.code, version.stderr.slice(-2000)).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  }, 2 * INSTALL_TIMEOUT_MS);
});

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('builds on node:24-slim (node:sqlite for the sqlite store), runs as a non-root user and enters dist/index.js (stdio by default)', () => {
    const from = instructions.filter((l) => /^FROM\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(from.length).toBeGreaterThanOrEqual(2); // multi-stage
    for (const image of from) expect(image).toMatch(/^node:24-slim(@sha256:[0-9a-f]{64})?$/);
    const users = instructions.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = instructions.filter((l) => /^ENTRYPOINT\s/i.test(l)).at(-1) ?? '';
    const argv = JSON.parse(entrypoint.replace(/^ENTRYPOINT\s+/i, '')) as string[];
    expect(argv).toEqual(['node', '/app/dist/index.js']);
    expect(instructions).toContain('EXPOSE 3000');
    expect(dockerfile).toMatch(/--transport http --host 0\.0\.0\.0 --port 3000/);
  });
});

describe('server.json', () => {
  const server = JSON.parse(read('server.json')) as {
    $schema: string;
    name: string;
    description: string;
    version: string;
    packages: { registryType: string; identifier: string; version: string; transport: { type: string }; environmentVariables: { name: string; isSecret?: boolean; isRequired?: boolean }[] }[];
  };

  it("describes this package for the MCP registry: its version, its npm entry and mcpName, its variables", () => {
    expect(server.$schema).toMatch(/^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d\d-\d\d\/server\.schema\.json$/);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.name).toBe(pkg.mcpName); // the registry checks the npm package's mcpName against it
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toHaveLength(1);
    const [npm] = server.packages;
    expect(npm).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
    const variables = Object.fromEntries(npm.environmentVariables.map((v) => [v.name, v]));
    expect(Object.keys(variables).sort()).toEqual(
      ['PINTEREST_ACCESS_TOKEN', 'PINTEREST_APP_ID', 'PINTEREST_APP_SECRET', 'PINTEREST_REFRESH_TOKEN', 'PINTEREST_SANDBOX', 'WHOP_API_KEY'].sort(),
    );
    expect(variables.PINTEREST_ACCESS_TOKEN).toMatchObject({ isSecret: true, isRequired: false });
    expect(variables.WHOP_API_KEY).toMatchObject({ isSecret: true });
    for (const optional of ['PINTEREST_REFRESH_TOKEN', 'PINTEREST_APP_ID', 'PINTEREST_APP_SECRET', 'PINTEREST_SANDBOX', 'WHOP_API_KEY']) {
      expect(variables[optional].isRequired ?? false, optional).toBe(false);
    }
  });
});

describe('client docs', () => {
  it("README's Connect section gives the clone and tarball forms first, and the registry form only as once published", () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Connect a client'), readme.indexOf('### Protocol revisions'));
    expect(section.length).toBeGreaterThan(100);
    expectRegistryFormLast(section, 'README.md');
  });

  it('docs/clients.md does the same overall and for every client', () => {
    const clients = read('docs/clients.md');
    expectRegistryFormLast(clients, 'docs/clients.md');
    for (const name of ['Claude Desktop', 'Claude Code', 'Cursor', 'VS Code']) {
      const section = clients.split('\n## ').find((s) => s.startsWith(name));
      expect(section, name).toBeDefined();
      expectRegistryFormLast(section!, `docs/clients.md, ${name}`);
    }
    expect(clients).toMatch(/docker run -i --rm -e PINTEREST_ACCESS_TOKEN pinterest-api-mcp/);
  });

  it("mcp.json has the clone, tarball, demo and HTTP entries, and docs/clients.md shows it as it is", () => {
    const mcp = JSON.parse(read('mcp.json')) as { mcpServers: Record<string, { command?: string; args?: string[]; url?: string }> };
    const servers = mcp.mcpServers;
    expect(Object.keys(servers)).toEqual(['pinterest', 'pinterest-tarball', 'pinterest-demo', 'pinterest-http']);
    expect(servers.pinterest).toMatchObject({ command: 'node', args: [CLONE_FORM] });
    expect(servers['pinterest-tarball']).toMatchObject({ command: 'npx', args: ['-y', TARBALL_FORM] });
    expect(servers['pinterest-demo'].args).toContain('--demo');
    expect(servers['pinterest-http'].url).toBe('http://127.0.0.1:3000/mcp');
    const clients = read('docs/clients.md');
    const shown = clients.split("This repository's [`mcp.json`](../mcp.json)")[1]?.split('```json\n')[1]?.split('\n```')[0];
    expect(JSON.parse(shown ?? 'null')).toEqual(mcp);
    expect(read('mcp.json')).not.toMatch(PUBLISHED_FORM);
  });
});

// A throwaway PostgreSQL 15 cluster for end-to-end tests: initdb in a temporary folder, started
// on a free port with pg_ctl (as the `postgres` user when run as root: initdb refuses root),
// stopped by the postmaster's pid. Debian's binaries: /usr/lib/postgresql/15/bin.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const asPostgres = (program, args) => (process.getuid() === 0
  ? run('runuser', ['-u', 'postgres', '--', join(BIN, program), ...args])
  : run(join(BIN, program), args));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'rtp-e2e-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-A', 'trust', '-U', 'postgres', '--no-sync', '-D', data]);
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    '-l', join(dir, 'log'), '-w', 'start']);
  await start();
  const pg = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** Rows of a query, each an array of its columns as text. */
    query: async (sql) => (await run(join(BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-At', '-F', '\t', '-c', sql]))
      .stdout.split('\n').filter(Boolean).map((line) => line.split('\t')),
    /** An outage: the postmaster told to quit at once; resolves once it is gone. */
    stop: async () => {
      const pidFile = join(data, 'postmaster.pid');
      if (!existsSync(pidFile)) return;
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      while (existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
    },
    start,
    close: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pg;
}

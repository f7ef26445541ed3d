// A throwaway nginx serving a small JSON body on 127.0.0.1, one worker,
// pinned to one CPU, run in the foreground as a tracked child.
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onExit, start, stop, waitForPort } from './procs.mjs';

/** Body every request gets (small JSON, like a typical API health/lookup). */
export const NGINX_BODY = '{"ok":true,"service":"tuneup-bench","items":[1,2,3]}';

/**
 * Start nginx. `cpu` is the core to pin it to (taskset -c), `maxConnections`
 * sizes worker_connections and the fd limit.
 * @returns {Promise<{ port: number, url: string, stop(): Promise<void> }>}
 */
export async function startNginx({ cpu = '0', maxConnections = 4096 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-bench-nginx-'));
  const removeDir = onExit(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
worker_rlimit_nofile ${maxConnections * 2 + 1024};
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections ${maxConnections + 512}; multi_accept on; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      default_type application/json;
      return 200 '${NGINX_BODY}';
    }
  }
}
`,
  );
  const proc = start('bash', ['-c', `ulimit -n ${maxConnections * 2 + 1024} 2>/dev/null; exec taskset -c ${cpu} nginx -p ${dir} -c ${conf} -g 'daemon off;'`]);
  try {
    await waitForPort(port);
  } catch (error) {
    await stop(proc);
    throw new Error(`nginx did not start: ${proc.output().stderr}\n${error.message}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
      removeDir();
    },
  };
}

// Where the API server is and how to authenticate to it, the way kube-proxy's createClient decides:
// --kubeconfig (clientConnection.kubeconfig) and/or --master, else the in-cluster service account.
//
// kubeconfig is read here rather than with @kubernetes/client-node: its current release needs Node 22,
// and the Node 20 release ignores the `tokenFile` user field, which is exactly what kubeadm's kube-proxy
// kubeconfig uses (and it would read the token once, while bound service account tokens rotate hourly).
// exec plugins and auth-providers are not supported; such a kubeconfig is refused with a clear message.

import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Where Kubernetes mounts a Pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type ClusterAuth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  /** Re-read periodically: kubelet rotates projected service account tokens. */
  | { kind: 'tokenFile'; path: string }
  | { kind: 'basic'; username: string; password: string };

export interface ClusterTLS {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify: boolean;
  serverName?: string;
}

export interface ClusterAccess {
  server: URL;
  tls: ClusterTLS;
  auth: ClusterAuth;
  /** Where these settings came from ("kubeconfig FILE", "--master", "in-cluster"), for messages. */
  source: string;
}

export interface ResolveOptions {
  kubeconfig?: string | undefined;
  master?: string | undefined;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** kube-proxy's rule: neither --kubeconfig nor --master means in-cluster; otherwise the file plus the override. */
export async function resolveClusterAccess(opts: ResolveOptions): Promise<ClusterAccess> {
  if (!opts.kubeconfig && !opts.master) return inClusterAccess(opts.env ?? process.env, opts.serviceAccountDir);
  if (!opts.kubeconfig) return accessFromMaster(opts.master!);
  return loadKubeconfig(opts.kubeconfig, opts.master);
}

export async function inClusterAccess(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): Promise<ClusterAccess> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) {
    throw new KubeconfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined (or give --kubeconfig or --master)');
  }
  const tokenPath = join(dir, 'token');
  // Read once now so a missing mount fails at start, not on the first request.
  await readFile(tokenPath).catch((e: Error) => {
    throw new KubeconfigError(`in-cluster configuration: cannot read the service account token ${tokenPath}: ${e.message}`);
  });
  const ca = await readFile(join(dir, 'ca.crt')).catch(() => undefined);
  const hostPart = isIPv6(host) ? `[${host}]` : host;
  return {
    server: new URL(`https://${hostPart}:${port}`),
    tls: { insecureSkipVerify: false, ...(ca ? { ca } : {}) },
    auth: { kind: 'tokenFile', path: tokenPath },
    source: 'in-cluster',
  };
}

function accessFromMaster(master: string): ClusterAccess {
  return { server: serverURL(master, false, '--master'), tls: { insecureSkipVerify: false }, auth: { kind: 'none' }, source: '--master' };
}

type YamlMap = Record<string, unknown>;

/** Reads a kubeconfig file and resolves its current context; `master` replaces the cluster's server. */
export async function loadKubeconfig(path: string, master?: string): Promise<ClusterAccess> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new KubeconfigError(`--kubeconfig ${path}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KubeconfigError(`--kubeconfig ${path}: not valid YAML: ${(e as Error).message}`);
  }
  return accessFromKubeconfig(doc, path, master);
}

/** The current context of a parsed kubeconfig. Relative file references resolve against the file's directory. */
export async function accessFromKubeconfig(doc: unknown, path: string, master?: string): Promise<ClusterAccess> {
  const where = `--kubeconfig ${path}`;
  if (!isMap(doc)) throw new KubeconfigError(`${where}: expected a kubeconfig mapping (apiVersion: v1, kind: Config)`);
  const contextName = stringField(doc, 'current-context', where);
  if (!contextName) throw new KubeconfigError(`${where}: current-context is not set; name one of its contexts`);
  const context = named(doc, 'contexts', 'context', contextName, where);
  const clusterName = stringField(context, 'cluster', `${where}: context ${contextName}`);
  const userName = stringField(context, 'user', `${where}: context ${contextName}`);
  const cluster = clusterName ? named(doc, 'clusters', 'cluster', clusterName, where) : {};
  const user = userName ? named(doc, 'users', 'user', userName, where) : {};
  const base = dirname(path);
  const clusterWhere = `${where}: cluster ${clusterName ?? '<none>'}`;
  const userWhere = `${where}: user ${userName ?? '<none>'}`;

  const tls: ClusterTLS = { insecureSkipVerify: cluster['insecure-skip-tls-verify'] === true };
  const ca = await fileOrData(cluster, 'certificate-authority', base, clusterWhere);
  if (ca) tls.ca = ca;
  const serverName = stringField(cluster, 'tls-server-name', clusterWhere);
  if (serverName) tls.serverName = serverName;
  const cert = await fileOrData(user, 'client-certificate', base, userWhere);
  const key = await fileOrData(user, 'client-key', base, userWhere);
  if (Boolean(cert) !== Boolean(key)) throw new KubeconfigError(`${userWhere}: client-certificate and client-key must be given together`);
  if (cert && key) Object.assign(tls, { cert, key });

  for (const unsupported of ['exec', 'auth-provider']) {
    if (user[unsupported] !== undefined) {
      throw new KubeconfigError(`${userWhere}: ${unsupported} credentials are not supported by kproxy; use a client certificate, token or tokenFile (a service account token works)`);
    }
  }
  const server = master || stringField(cluster, 'server', clusterWhere);
  if (!server) throw new KubeconfigError(`${clusterWhere}: server is not set (and no --master given)`);
  const secure = Boolean(tls.ca || tls.cert || tls.insecureSkipVerify);
  return {
    server: serverURL(server, secure, master ? '--master' : `${clusterWhere}: server`),
    tls,
    auth: userAuth(user, base, userWhere),
    source: `kubeconfig ${path}`,
  };
}

function userAuth(user: YamlMap, base: string, where: string): ClusterAuth {
  // As client-go: an inline token wins over tokenFile.
  const token = stringField(user, 'token', where);
  if (token) return { kind: 'token', token };
  const tokenFile = stringField(user, 'tokenFile', where);
  if (tokenFile) return { kind: 'tokenFile', path: resolvePath(base, tokenFile) };
  const username = stringField(user, 'username', where);
  if (username) return { kind: 'basic', username, password: stringField(user, 'password', where) ?? '' };
  return { kind: 'none' };
}

/** client-go's default scheme: https when any TLS setting is present, else http. */
function serverURL(raw: string, secure: boolean, where: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${secure ? 'https' : 'http'}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new KubeconfigError(`${where}: got ${JSON.stringify(raw)}, expected a URL such as https://10.0.0.1:6443`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`${where}: got scheme ${JSON.stringify(url.protocol)}, allowed: http, https`);
  }
  return url;
}

/** FIELD (a path) or FIELD-data (base64 inline): the file wins when both are set, as in client-go. */
async function fileOrData(m: YamlMap, field: string, base: string, where: string): Promise<Buffer | undefined> {
  const file = stringField(m, field, where);
  if (file) {
    const full = resolvePath(base, file);
    return readFile(full).catch((e: Error) => {
      throw new KubeconfigError(`${where}: ${field} ${full}: cannot read: ${e.message}`);
    });
  }
  const data = stringField(m, `${field}-data`, where);
  return data ? Buffer.from(data, 'base64') : undefined;
}

function resolvePath(base: string, file: string): string {
  return isAbsolute(file) ? file : join(base, file);
}

function named(doc: YamlMap, list: string, inner: string, name: string, where: string): YamlMap {
  const entries = doc[list];
  const entry = Array.isArray(entries) ? entries.find((e) => isMap(e) && e['name'] === name) : undefined;
  if (!isMap(entry)) throw new KubeconfigError(`${where}: ${list} has no entry named ${JSON.stringify(name)}`);
  const body = entry[inner] ?? {};
  if (!isMap(body)) throw new KubeconfigError(`${where}: ${list} entry ${JSON.stringify(name)}: ${inner} must be a mapping`);
  return body;
}

function stringField(m: YamlMap, field: string, where: string): string | undefined {
  const v = m[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(`${where}: ${field}: got ${JSON.stringify(v)}, expected a string`);
  return v;
}

function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

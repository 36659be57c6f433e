/**
 * An in-process Secret Manager: the real `google.cloud.secretmanager.v1.SecretManagerService` gRPC
 * interface, loaded from the .proto files the client package ships, over an in-memory map. Enough
 * of it for the real `SecretManagerServiceClient` to get, create and list secrets and to add,
 * access and list versions, with the status codes Google returns. Listens on 127.0.0.1 only.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  Server,
  ServerCredentials,
  status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

export interface StoredVersion {
  name: string;
  data: Buffer;
  createTime: Timestamp;
}

export interface StoredSecret {
  name: string;
  labels: Record<string, string>;
  replication: unknown;
  createTime: Timestamp;
  versions: StoredVersion[];
}

export interface SecretManagerServer {
  port: number;
  /** By secret name, `projects/<project>/secrets/<id>`: for tests to look at or to seed. */
  secrets: Map<string, StoredSecret>;
  stop(): Promise<void>;
}

interface Timestamp {
  seconds: number;
  nanos: number;
}

const SERVICE = 'google.cloud.secretmanager.v1.SecretManagerService';
const PROJECT = /^projects\/[^/]+$/;
const SECRET = /^projects\/[^/]+\/secrets\/[^/]+$/;
const VERSION = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export async function startSecretManagerServer(): Promise<SecretManagerServer> {
  const secrets = new Map<string, StoredSecret>();
  const server = new Server();
  server.addService(loadService(), implementation(secrets));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return { port, secrets, stop: () => stop(server) };
}

/** The service definition, from the client package's protos and google-gax's common ones. */
function loadService(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const clientMain = require.resolve('@google-cloud/secret-manager');
  // build/src/index.js → build/protos; google-gax is resolved from the client, as it loads it.
  const clientProtos = join(dirname(clientMain), '..', 'protos');
  const gaxMain = createRequire(clientMain).resolve('google-gax');
  const gaxProtos = join(dirname(gaxMain), '..', 'protos');
  const definition = loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs: [clientProtos, gaxProtos],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = definition[SERVICE];
  // Messages and enums have a `format`; services do not.
  if (service === undefined || 'format' in service) {
    throw new Error(`${SERVICE} is not in the Secret Manager protos`);
  }
  return service as ServiceDefinition;
}

function implementation(secrets: Map<string, StoredSecret>): UntypedServiceImplementation {
  const secretOf = (name: string): StoredSecret => {
    const secret = secrets.get(name);
    if (!secret) throw new RpcError(status.NOT_FOUND, `Secret [${name}] not found.`);
    return secret;
  };
  const versionOf = (name: string): StoredVersion => {
    const match = VERSION.exec(name);
    if (!match) throw new RpcError(status.INVALID_ARGUMENT, `invalid version name "${name}"`);
    const [, secretName = '', id] = match;
    const versions = secretOf(secretName).versions;
    const version = id === 'latest' ? versions.at(-1) : versions[Number(id) - 1];
    if (!version) {
      throw new RpcError(status.NOT_FOUND, `Secret Version [${name}] not found.`);
    }
    return version;
  };

  const getSecret = unary<{ name: string }>(({ name }) => {
    checkName(name, SECRET, 'secret');
    return secretMessage(secretOf(name));
  });

  const createSecret = unary<{
    parent: string;
    secretId: string;
    secret: { labels?: Record<string, string>; replication?: unknown } | null;
  }>(({ parent, secretId, secret }) => {
    checkName(parent, PROJECT, 'parent');
    if (!SECRET_ID.test(secretId)) {
      throw new RpcError(status.INVALID_ARGUMENT, `invalid secret id "${secretId}"`);
    }
    if (!secret?.replication) {
      throw new RpcError(status.INVALID_ARGUMENT, 'Secret.replication is required');
    }
    const name = `${parent}/secrets/${secretId}`;
    if (secrets.has(name))
      throw new RpcError(status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
    const stored: StoredSecret = {
      name,
      labels: { ...secret.labels },
      replication: secret.replication,
      createTime: now(),
      versions: [],
    };
    secrets.set(name, stored);
    return secretMessage(stored);
  });

  const addSecretVersion = unary<{ parent: string; payload: { data: Buffer } | null }>(
    ({ parent, payload }) => {
      checkName(parent, SECRET, 'parent');
      const secret = secretOf(parent);
      if (!payload || payload.data.length === 0) {
        throw new RpcError(status.INVALID_ARGUMENT, 'SecretPayload.data is required');
      }
      const version: StoredVersion = {
        name: `${parent}/versions/${secret.versions.length + 1}`,
        data: Buffer.from(payload.data),
        createTime: now(),
      };
      secret.versions.push(version);
      return versionMessage(version);
    },
  );

  const getSecretVersion = unary<{ name: string }>(({ name }) => versionMessage(versionOf(name)));

  const accessSecretVersion = unary<{ name: string }>(({ name }) => {
    const version = versionOf(name);
    return { name: version.name, payload: { data: version.data } };
  });

  const listSecretVersions = unary<{ parent: string }>(({ parent }) => {
    checkName(parent, SECRET, 'parent');
    // Newest first, as Secret Manager lists them; one page.
    const versions = [...secretOf(parent).versions].reverse().map(versionMessage);
    return { versions, nextPageToken: '', totalSize: versions.length };
  });

  return {
    GetSecret: getSecret,
    CreateSecret: createSecret,
    AddSecretVersion: addSecretVersion,
    GetSecretVersion: getSecretVersion,
    AccessSecretVersion: accessSecretVersion,
    ListSecretVersions: listSecretVersions,
  };
}

/** A unary handler from a function of the request; an RpcError it throws is the call's status. */
function unary<Request>(handle: (request: Request) => object): handleUnaryCall<Request, object> {
  return (call, callback: sendUnaryData<object>) => {
    try {
      callback(null, handle(call.request));
    } catch (error) {
      if (error instanceof RpcError) callback({ code: error.code, details: error.message });
      else callback({ code: status.INTERNAL, details: String(error) });
    }
  };
}

function checkName(name: string, pattern: RegExp, what: string): void {
  if (!pattern.test(name)) throw new RpcError(status.INVALID_ARGUMENT, `invalid ${what} "${name}"`);
}

function secretMessage(secret: StoredSecret): object {
  const { name, labels, replication, createTime } = secret;
  return { name, labels, replication, createTime };
}

function versionMessage(version: StoredVersion): object {
  return { name: version.name, createTime: version.createTime, state: 'ENABLED' };
}

function now(): Timestamp {
  const millis = Date.now();
  return { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1e6 };
}

/** Lets calls in flight finish, but not for long: a test run must not hang on a client. */
function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

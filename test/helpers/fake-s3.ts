import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake store received: method, object key (without the bucket) and query. */
export type S3Request = { method: string; bucket: string; key: string; query: string; authorization: string };

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The least of an S3-compatible store that backups use, path-style, in memory: list (two keys a
 * page, so that clients must follow continuation tokens), put (whole or multipart), get and
 * delete. It records every request, and answers 403 to a request not signed with `accessKey`.
 */
export async function startFakeS3(options: { bucket: string; accessKey: string }) {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const requests: S3Request[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    const authorization = request.headers.authorization ?? '';
    requests.push({ method: request.method ?? '', bucket, key, query: url.search, authorization });
    const body = await bodyOf(request);
    const send = (status: number, text = '', headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/xml', ...headers });
      response.end(text);
    };
    if (!authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${options.accessKey}/`)) {
      return send(403, xml('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'));
    }
    if (bucket !== options.bucket) {
      return send(404, xml('<Error><Code>NoSuchBucket</Code><Message>No such bucket</Message></Error>'));
    }
    if (request.method === 'GET' && !key) {
      const prefix = q.get('prefix') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = Number(q.get('continuation-token') ?? 0);
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      return send(
        200,
        xml(
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${start + 2}</NextContinuationToken>` : ''}${page
            .map(
              (k) =>
                `<Contents><Key>${escapeXml(k)}</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>${objects.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
            )
            .join('')}</ListBucketResult>`,
        ),
      );
    }
    if (request.method === 'POST' && q.has('uploads')) {
      const id = `u${uploads.size + 1}`;
      uploads.set(id, new Map());
      return send(
        200,
        xml(
          `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        ),
      );
    }
    if (request.method === 'PUT' && q.has('uploadId')) {
      uploads.get(q.get('uploadId')!)!.set(Number(q.get('partNumber')), body);
      return send(200, '', { etag: `"p${q.get('partNumber')}"` });
    }
    if (request.method === 'POST' && q.has('uploadId')) {
      const parts = uploads.get(q.get('uploadId')!)!;
      objects.set(key, Buffer.concat([...parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p)));
      uploads.delete(q.get('uploadId')!);
      return send(
        200,
        xml(
          `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>"m"</ETag></CompleteMultipartUploadResult>`,
        ),
      );
    }
    if (request.method === 'PUT') {
      objects.set(key, body);
      return send(200, '', { etag: '"e"' });
    }
    if (request.method === 'GET') {
      const object = objects.get(key);
      if (!object) {
        return send(
          404,
          xml('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'),
        );
      }
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': object.length,
      });
      return response.end(object);
    }
    if (request.method === 'DELETE') {
      if (q.has('uploadId')) uploads.delete(q.get('uploadId')!);
      else objects.delete(key);
      return send(204);
    }
    return send(400, xml('<Error><Code>NotImplemented</Code><Message>not in the fake</Message></Error>'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: async () => {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}

#!/usr/bin/env node
// A fixed-port front for librdkafka's mock cluster (scripts/mockkafka.c), for tests only.
//
//   node scripts/kafka-front.mjs serve <upstream> <listen-port>   forward 127.0.0.1:<listen-port> to the mock
//   node scripts/kafka-front.mjs probe <host:port>                exit 0 when a Kafka broker answers ApiVersions
//
// <upstream> is `host:port`, or `@file` holding `host:port` (re-read for every new connection, so a restarted
// mock on a new ephemeral port is picked up without restarting the front).
//
// Why it exists: the mock listens on an ephemeral port, and its Metadata responses name controller id 0 while its
// broker ids start at 1, so kafkajs' admin client and idempotent producer fail with "Broker 0 not found".
// The front rewrites, in place (lengths never change):
//   - Metadata v0–8 responses: every broker's port → the front's port; controller id 0 → the first broker's id;
//   - FindCoordinator v0–2 responses: the coordinator's port → the front's port.
// It therefore supports a single-broker mock only. Flexible (compact) versions are passed through untouched.
import net from 'node:net';
import { readFileSync } from 'node:fs';

const API_METADATA = 3;
const API_FIND_COORDINATOR = 10;
const API_VERSIONS = 18;
const MAX_FRAME = 512 * 1024 * 1024;

function parseHostPort(text) {
  const m = /^\s*([^\s:]+):(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`expected host:port, got "${text.trim()}"`);
  return { host: m[1], port: Number(m[2]) };
}

function resolveUpstream(spec) {
  return spec.startsWith('@') ? parseHostPort(readFileSync(spec.slice(1), 'utf8').split('\n')[0] ?? '') : parseHostPort(spec);
}

/** Splits a byte stream into Kafka frames (int32 size prefix), copying each byte about once. */
function frameSplitter(onFrame) {
  let chunks = [];
  let buffered = 0;
  return (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= 4) {
      let head = chunks[0];
      if (head.length < 4) {
        head = Buffer.concat(chunks, buffered);
        chunks = [head];
      }
      const size = head.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) throw new Error(`bad frame size ${size}`);
      if (buffered < 4 + size) return;
      const all = chunks.length === 1 ? head : Buffer.concat(chunks, buffered);
      onFrame(all.subarray(0, 4 + size));
      const rest = all.subarray(4 + size);
      chunks = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
    }
  };
}

function skipNullableString(frame, offset) {
  const len = frame.readInt16BE(offset);
  return offset + 2 + (len > 0 ? len : 0);
}

function patchMetadata(frame, version, frontPort) {
  let o = 8; // size + correlation id
  if (version >= 3) o += 4; // throttle_time_ms
  const brokerCount = frame.readInt32BE(o);
  o += 4;
  let firstBrokerId = null;
  for (let i = 0; i < brokerCount; i++) {
    const id = frame.readInt32BE(o);
    o += 4;
    firstBrokerId ??= id;
    o = skipNullableString(frame, o); // host
    frame.writeInt32BE(frontPort, o);
    o += 4;
    if (version >= 1) o = skipNullableString(frame, o); // rack
  }
  if (version >= 2) o = skipNullableString(frame, o); // cluster_id
  if (version >= 1 && firstBrokerId !== null && frame.readInt32BE(o) === 0) frame.writeInt32BE(firstBrokerId, o);
}

function patchFindCoordinator(frame, version, frontPort) {
  let o = 8;
  if (version >= 1) o += 4; // throttle_time_ms
  o += 2; // error_code
  if (version >= 1) o = skipNullableString(frame, o); // error_message
  o += 4; // node_id
  o = skipNullableString(frame, o); // host
  frame.writeInt32BE(frontPort, o);
}

function serve(upstreamSpec, listenPort) {
  resolveUpstream(upstreamSpec); // fail fast on a bad argument
  const server = net.createServer((client) => {
    let upstream;
    try {
      const { host, port } = resolveUpstream(upstreamSpec);
      upstream = net.connect(port, host);
    } catch (err) {
      console.error(`kafka-front: no upstream: ${err.message}`);
      client.destroy();
      return;
    }
    /** correlation id → [api key, api version] of requests awaiting their response */
    const pending = new Map();
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    const guard = (fn) => (chunk) => {
      try {
        fn(chunk);
      } catch (err) {
        console.error(`kafka-front: ${err.message}`);
        close();
      }
    };
    client.on(
      'data',
      guard(
        frameSplitter((frame) => {
          if (frame.length >= 12) pending.set(frame.readInt32BE(8), [frame.readInt16BE(4), frame.readInt16BE(6)]);
          upstream.write(frame);
        }),
      ),
    );
    upstream.on(
      'data',
      guard(
        frameSplitter((frame) => {
          const correlationId = frame.readInt32BE(4);
          const request = pending.get(correlationId);
          pending.delete(correlationId);
          if (request) {
            const [apiKey, version] = request;
            if (apiKey === API_METADATA && version <= 8) patchMetadata(frame, version, listenPort);
            else if (apiKey === API_FIND_COORDINATOR && version <= 2) patchFindCoordinator(frame, version, listenPort);
          }
          client.write(frame);
        }),
      ),
    );
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  server.on('error', (err) => {
    console.error(`kafka-front: ${err.message}`);
    process.exit(1);
  });
  server.listen(listenPort, '127.0.0.1', () => console.log(`kafka-front 127.0.0.1:${listenPort} -> ${upstreamSpec}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Sends ApiVersions v0 and checks the answer: proves a Kafka broker (not just an open port) is behind `target`. */
function probe(target, timeoutMs = 3000) {
  const { host, port } = parseHostPort(target);
  const clientId = Buffer.from('fdi-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(API_VERSIONS, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(0x0fd1, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  const socket = net.connect(port, host);
  const fail = (why) => {
    console.error(`kafka-front probe ${target}: ${why}`);
    socket.destroy();
    process.exit(1);
  };
  const timer = setTimeout(() => fail('no answer'), timeoutMs);
  socket.on('connect', () => socket.write(Buffer.concat([size, body])));
  socket.on('error', (err) => fail(err.message));
  socket.on('close', () => fail('connection closed'));
  socket.on(
    'data',
    frameSplitter((frame) => {
      clearTimeout(timer);
      const ok = frame.length >= 10 && frame.readInt32BE(4) === 0x0fd1 && frame.readInt16BE(8) === 0;
      socket.removeAllListeners('close');
      socket.destroy();
      if (!ok) fail('unexpected ApiVersions response');
      process.exit(0);
    }),
  );
}

const [mode, arg1, arg2] = process.argv.slice(2);
if (mode === 'serve' && arg1 && arg2 && /^\d+$/.test(arg2)) serve(arg1, Number(arg2));
else if (mode === 'probe' && arg1) probe(arg1);
else {
  console.error('usage: kafka-front.mjs serve <host:port|@file> <listen-port> | probe <host:port>');
  process.exit(2);
}

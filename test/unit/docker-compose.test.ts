/**
 * docker-compose.yml cannot run here (no Docker daemon), so it is checked as data: it parses, it has the services
 * the README promises with the versions it names, Redis is append-only, Kafka runs in KRaft mode, every service has
 * a health check or a dependency on one, and the host ports are those of scripts/test-services.sh (so the
 * integration tests' defaults reach the containers).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const script = readFileSync(new URL('../../scripts/test-services.sh', import.meta.url), 'utf8');

function scriptPort(name: string): string {
  // e.g. MYSQL_PORT=$(port_for mysql "${FDI_TEST_SERVICES_MYSQL_PORT:-}" 33306)
  const m = new RegExp(`^${name}_PORT=\\$\\(port_for [a-z]+ "\\$\\{FDI_TEST_SERVICES_${name}_PORT:-\\}" (\\d+)\\)$`, 'm').exec(script);
  if (!m?.[1]) throw new Error(`no ${name}_PORT default in scripts/test-services.sh`);
  return m[1];
}

describe('docker-compose.yml', () => {
  it('has the worker and the services the README names, in the versions it names', () => {
    expect(Object.keys(services).sort()).toEqual(['kafka', 'mysql', 'postgres', 'redis', 'sftp', 'worker']);
    expect(services.mysql?.image).toMatch(/^mysql:8(\.|$)/);
    expect(services.postgres?.image).toMatch(/^postgres:16(\.|$)/);
    expect(services.redis?.image).toMatch(/^redis:7(\.|$)/);
    expect(services.worker?.build).toBe('.');
    expect(services.worker?.command).toEqual(['serve']);
  });

  it('keeps Redis append-only and runs Kafka in KRaft mode', () => {
    expect(services.redis?.command?.join(' ')).toContain('--appendonly yes');
    expect(services.kafka?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(String(services.kafka?.environment?.['KAFKA_CONTROLLER_QUORUM_VOTERS'])).toMatch(/^1@kafka:\d+$/);
  });

  it('publishes the ports of scripts/test-services.sh on loopback only', () => {
    const published = (s: string) => (services[s]?.ports ?? []).map((p) => p.split(':').slice(0, 2).join(':'));
    expect(published('mysql')).toEqual([`127.0.0.1:${scriptPort('MYSQL')}`]);
    expect(published('postgres')).toEqual([`127.0.0.1:${scriptPort('PG')}`]);
    expect(published('redis')).toEqual([`127.0.0.1:${scriptPort('REDIS')}`]);
    expect(published('kafka')).toEqual([`127.0.0.1:${scriptPort('KAFKA')}`]);
    expect(published('sftp')).toEqual([`127.0.0.1:${scriptPort('SFTP')}`]);
    expect(published('worker')).toEqual(['127.0.0.1:8080']);
  });

  it('gives the worker what fdi serve needs, and starts it only once Redis is healthy', () => {
    const env = services.worker?.environment ?? {};
    expect(env['REDIS_URL']).toBe('redis://redis:6379');
    for (const key of ['FDI_API_TOKENS', 'FDI_SECRET_KEY']) expect(env[key]).toBeTruthy();
    expect(services.worker?.depends_on?.['redis']?.condition).toBe('service_healthy');
    for (const name of ['redis', 'mysql', 'postgres', 'kafka']) expect(services[name]?.healthcheck?.test.length, name).toBeGreaterThan(0);
  });

  it('declares every named volume it mounts', () => {
    const used = Object.values(services)
      .flatMap((s) => (s as { volumes?: string[] }).volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    for (const v of used) expect(Object.keys(compose.volumes)).toContain(v);
  });
});

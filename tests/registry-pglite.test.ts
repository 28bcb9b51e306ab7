// The embedded database (PGlite) runs the same migrations and holds the same registry as PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../src/audit/audit-service.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { createLogger } from '../src/logging/logger.ts';
import { membersLinkedToContacts } from '../src/members/index.ts';
import { createRegistryService, type RegistryService } from '../src/registry/index.ts';
import { fixture } from './support/registry-fixture.ts';

let directory: string;
let database: DatabaseHandle;
let audit: AuditService;
let registry: RegistryService;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'counterpart-pglite-'));
  database = await openDatabase({ url: undefined, dataDir: directory });
  await database.migrate();
  const logger = createLogger('silent');
  audit = createAuditService({ db: database.db, logger });
  registry = createRegistryService({
    db: database.db,
    audit,
    database,
    logger,
    linkedMembers: membersLinkedToContacts,
  });
  await registry.start();
});
afterAll(async () => {
  await registry.stop();
  await audit.close();
  await database.close();
  await rm(directory, { recursive: true, force: true });
});

describe('registry on embedded PGlite', () => {
  it('migrates, imports the demo registry and exports it unchanged', async () => {
    expect(database.engine).toBe('pglite');
    expect(await registry.isEmpty()).toBe(true);
    const summary = await registry.importRegistry(undefined, fixture());
    expect(summary).toMatchObject({
      countries: 15,
      authorities: 27,
      contacts: 38,
      treaties: 8,
      competences: 7,
    });
    expect(await registry.isEmpty()).toBe(false);
    expect(await registry.exportRegistry(undefined)).toEqual(fixture());
    expect(
      registry.contacts({ country: 'KG', competence: 'extradition' }).map((contact) => contact.id),
    ).toEqual(['kg-001', 'kg-002']);
    expect(
      registry
        .contacts({ country: 'KG', competence: 'extradition', status: 'all' })
        .map((contact) => contact.id),
    ).toEqual(['kg-001', 'kg-002', 'kg-004']);
  });

  it('edits and the audit chain work the same way', async () => {
    const updated = await registry.updateContact(undefined, 'kg-003', { status: 'suspended' });
    expect(updated.status).toBe('suspended');
    expect(registry.snapshot().contactById.get('kg-003')?.status).toBe('suspended');
    expect(await registry.countryExists('KG')).toBe(true);
    expect(await registry.contactExists('kg-003')).toBe(true);
    expect(await audit.verify()).toMatchObject({ problems: [] });
  });
});

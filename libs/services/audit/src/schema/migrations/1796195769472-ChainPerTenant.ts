import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * One hash chain per tenant instead of one for the whole cluster, so appends of different
 * organisations never wait for each other. Records stored before this migration keep their hashes
 * and become the chain `legacy`, in their old order, verifiable as they were: nothing is re-hashed,
 * so tampering that happened before the migration stays visible after it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('records').addColumn('chain_id', 'text').addColumn('chain_pos', 'bigint').execute();
  // The append-only trigger is lifted for this one statement, inside the migration's transaction.
  await sql`alter table audit.records disable trigger records_append_only`.execute(db);
  await sql`
    update audit.records as record set chain_id = 'legacy', chain_pos = numbered.position
    from (select seq, row_number() over (order by seq) as position from audit.records) as numbered
    where record.seq = numbered.seq`.execute(db);
  await sql`alter table audit.records enable trigger records_append_only`.execute(db);
  await db.schema
    .alterTable('records')
    .alterColumn('chain_id', (column) => column.setNotNull())
    .execute();
  await db.schema
    .alterTable('records')
    .alterColumn('chain_pos', (column) => column.setNotNull())
    .execute();
  // One record per position: a second appender at the same position fails instead of forking the chain.
  await db.schema.createIndex('records_chain_pos').on('records').columns(['chain_id', 'chain_pos']).unique().execute();

  await db.schema
    .createTable('chains')
    .addColumn('chain_id', 'text', (column) => column.primaryKey())
    .addColumn('head_hash', 'text', (column) => column.notNull())
    .addColumn('length', 'bigint', (column) => column.notNull())
    .execute();
  await sql`
    insert into audit.chains (chain_id, head_hash, length)
    select chain_id, hash, chain_pos from audit.records
    where chain_id = 'legacy' order by chain_pos desc limit 1`.execute(db);

  // A head only moves forward, onto a stored record; heads are never deleted.
  await sql`
    create function audit.advance_chain() returns trigger language plpgsql as $$
    begin
      if new.chain_id <> old.chain_id or new.length < old.length then
        raise exception 'audit chain heads only move forward';
      end if;
      perform 1 from audit.records
        where chain_id = new.chain_id and chain_pos = new.length and hash = new.head_hash;
      if not found then
        raise exception 'audit chain head must be the hash of its last record';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger chains_forward_only before update on audit.chains
    for each row execute function audit.advance_chain()`.execute(db);
  await sql`
    create trigger chains_no_delete before delete on audit.chains
    for each row execute function audit.reject_change()`.execute(db);
  await sql`
    create trigger chains_no_truncate before truncate on audit.chains
    for each statement execute function audit.reject_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chains').execute();
  await sql`drop function audit.advance_chain()`.execute(db);
  await db.schema.dropIndex('records_chain_pos').execute();
  await db.schema.alterTable('records').dropColumn('chain_pos').dropColumn('chain_id').execute();
}

-- The journal's foreign key to tickets goes. Its check was a query a record (a lookup of the ticket
-- and a row lock), a tenth of the CPU a recomputation of deadlines spends a ticket (PERFORMANCE.md:
-- a million open tickets rewritten 10 % faster without it). What it guarded stays guarded: a record
-- is written only in the transaction that moves its ticket's journal head, tickets are never
-- deleted, and `otklik verify` reports any record whose ticket no longer exists.
ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_ticket_id_fkey;

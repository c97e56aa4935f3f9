-- SQLite's search index now merges its segments in the background (sqlite/0019). PostgreSQL's GIN
-- index has its pending list merged in the background already (startSearchCleaner). Nothing to change.
SELECT 1;

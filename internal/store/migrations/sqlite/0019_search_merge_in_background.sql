-- The search index's segments are merged by the store in the background (startSearchMerger), in
-- small steps through the writer, instead of by FTS5 itself in the commit of whichever write brought a
-- level to four segments: that merge read 481 pages and wrote 837 and held one registration's commit
-- 47 ms (docs/PERFORMANCE.md). crisismerge stays at its default (16): a level that reaches it while the
-- merger cannot run (the writer never rests) is still merged in the commit, so the index cannot grow
-- without bound.
INSERT INTO ticket_search (ticket_search, rank) VALUES ('automerge', 0);

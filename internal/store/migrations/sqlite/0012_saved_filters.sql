-- Saved filters of the staff workspace: a member's named view of a queue with its filters (the query
-- string of the queue page), listed beside the queues.
CREATE TABLE saved_filters (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name    TEXT NOT NULL,
    queue   TEXT NOT NULL,
    query   TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, name)
);

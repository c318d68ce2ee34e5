-- One locker per visit at most: a second assignment of the same visit fails inside its transaction.
CREATE UNIQUE INDEX lockers_visit ON lockers(visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX lockers_state ON lockers(state, updated_at);

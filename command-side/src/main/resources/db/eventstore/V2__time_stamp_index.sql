-- Axon's createTokenAt(instant), behind the time-range export of stored events (GET /v1/events/export), looks for
-- the first event at or after an instant: without this index that is a scan of the whole event store.
CREATE INDEX domain_event_entry_time_stamp ON domain_event_entry (time_stamp);

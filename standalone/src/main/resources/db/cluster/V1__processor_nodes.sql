-- The nodes that run event processors on this database, each with its latest heartbeat: how SegmentBalancer knows
-- how many nodes share the segments. node_id is the owner a node writes into token_entry.
CREATE TABLE processor_nodes (
    node_id VARCHAR(255) NOT NULL PRIMARY KEY,
    seen_at TIMESTAMPTZ  NOT NULL
);

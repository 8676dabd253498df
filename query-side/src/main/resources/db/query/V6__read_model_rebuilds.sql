-- Requests to rebuild a read model, written by the operator command (admin read-model rebuild) and carried out by a
-- running service, which records its progress here. See docs/operations.md, "Rebuilding the read model".
--   requested  -> rebuilding (a node took it) -> switched (the new tables are in place) -> done
--                                                                                       -> failed (message says why)
-- A node updates heartbeat_at while it works; a request whose heartbeat stopped (the node died) is taken over.
CREATE TABLE read_model_rebuilds (
    id           BIGSERIAL    NOT NULL,
    projection   VARCHAR(64)  NOT NULL,
    state        VARCHAR(16)  NOT NULL DEFAULT 'requested',
    requested_by VARCHAR(255),
    requested_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    node         VARCHAR(255),
    heartbeat_at TIMESTAMPTZ,
    started_at   TIMESTAMPTZ,
    switched_at  TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    position     BIGINT,       -- the last event (global index) the new tables hold
    target       BIGINT,       -- the live processor's position when last compared
    pause_millis BIGINT,       -- how long the live projection was paused for the switch
    message      TEXT,
    CONSTRAINT read_model_rebuilds_pkey PRIMARY KEY (id),
    CONSTRAINT read_model_rebuilds_state_check
        CHECK (state IN ('requested', 'rebuilding', 'switched', 'done', 'failed'))
);

-- One rebuild of a projection at a time.
CREATE UNIQUE INDEX read_model_rebuilds_one_at_a_time ON read_model_rebuilds (projection)
    WHERE state IN ('requested', 'rebuilding', 'switched');

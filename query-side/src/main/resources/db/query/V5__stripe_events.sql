-- GET /v1/events: one row per stored event that has a Stripe type, written by the stripe-events processor.
-- id is derived from the stored event's identifier, so a replay writes the same ids; position is the event's
-- global index in the event store, which orders the list (newest first).
CREATE TABLE stripe_events (
    id                VARCHAR(64)  COLLATE "C" NOT NULL,
    account_id        VARCHAR(64)  NOT NULL,
    type              VARCHAR(128) COLLATE "C" NOT NULL,
    created           BIGINT       NOT NULL,  -- unix seconds of the stored event
    position          BIGINT       NOT NULL,
    payment_intent_id VARCHAR(255) COLLATE "C" NOT NULL,
    sequence          BIGINT       NOT NULL,
    object            JSONB        NOT NULL,  -- the intent after the event, without its client secret
    previous          JSONB,                  -- the intent before it; null for payment_intent.created
    request_id        VARCHAR(64),
    idempotency_key   VARCHAR(255),
    CONSTRAINT stripe_events_pkey PRIMARY KEY (id),
    CONSTRAINT stripe_events_intent_sequence UNIQUE (payment_intent_id, sequence)
);

CREATE INDEX stripe_events_account_position ON stripe_events (account_id, position DESC);
CREATE INDEX stripe_events_account_type_position ON stripe_events (account_id, type, position DESC);

-- The stripe-events processor's own fold state: each intent as of the last event it applied (version = that
-- event's sequence number). It runs independently of the payment-intents processor, so it cannot read
-- payment_intents, which may be ahead of or behind it.
CREATE TABLE stripe_event_intents (
    id      VARCHAR(255) COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    view    JSONB  NOT NULL,
    CONSTRAINT stripe_event_intents_pkey PRIMARY KEY (id)
);

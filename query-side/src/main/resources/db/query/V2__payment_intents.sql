-- The read model behind retrieve and list. version is the sequence number of the last event applied: the
-- projection skips any event at or below it, and read-your-writes waits for it.
CREATE TABLE payment_intents (
    id                   VARCHAR(255) COLLATE "C" NOT NULL,  -- bytewise order: pages do not depend on the locale
    account_id           VARCHAR(64)  NOT NULL,
    version              BIGINT       NOT NULL,
    status               VARCHAR(32)  NOT NULL,
    amount               BIGINT       NOT NULL,
    currency             VARCHAR(3)   NOT NULL,
    amount_capturable    BIGINT       NOT NULL DEFAULT 0,
    amount_received      BIGINT       NOT NULL DEFAULT 0,
    customer             VARCHAR(5000),
    description          TEXT,
    payment_method       VARCHAR(255),
    payment_method_types JSONB        NOT NULL,
    capture_method       VARCHAR(16)  NOT NULL,
    confirmation_method  VARCHAR(16)  NOT NULL,
    return_url           TEXT,
    metadata             JSONB        NOT NULL DEFAULT '{}',
    charges              JSONB        NOT NULL DEFAULT '[]',
    last_payment_error   JSONB,
    cancellation_reason  VARCHAR(32),
    canceled_at          TIMESTAMPTZ,
    created              BIGINT       NOT NULL,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    CONSTRAINT payment_intents_pkey PRIMARY KEY (id)
);

-- List order is (created desc, id desc) within one account; each filter has an index that serves that order.
CREATE INDEX payment_intents_account_created ON payment_intents (account_id, created DESC, id DESC);
CREATE INDEX payment_intents_account_customer_created ON payment_intents (account_id, customer, created DESC, id DESC);
CREATE INDEX payment_intents_account_status_created ON payment_intents (account_id, status, created DESC, id DESC);

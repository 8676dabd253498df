-- Webhook endpoints (Stripe's webhook_endpoint object), each of one account. The signing secret is not stored: it is
-- derived from the id with the client-secret key whenever it is needed (ClientSecrets.webhookSecret), so a copy of
-- this table cannot sign a delivery. Deleting an endpoint deletes its row, and with it its deliveries.
CREATE TABLE webhook_endpoints (
    id             VARCHAR(64)   NOT NULL,
    account_id     VARCHAR(64)   NOT NULL,
    url            VARCHAR(5000) NOT NULL,
    -- a JSON array of Stripe event types, or ["*"]
    enabled_events JSONB         NOT NULL,
    description    VARCHAR(5000),
    metadata       JSONB         NOT NULL,
    status         VARCHAR(16)   NOT NULL,
    -- an endpoint receives the events that happen after this moment, never older ones
    created_at     TIMESTAMPTZ   NOT NULL,
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_endpoints_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT webhook_endpoints_status CHECK (status IN ('enabled', 'disabled')),
    CONSTRAINT webhook_endpoints_enabled_events CHECK (jsonb_typeof(enabled_events) = 'array')
);

-- the list order (newest first), and the fan-out's lookup of an account's endpoints
CREATE INDEX webhook_endpoints_account_created ON webhook_endpoints (account_id, created_at DESC, id DESC);

-- GET /v1/charges/{id}: which intent (of which account) holds a charge. The charges themselves stay in
-- payment_intents.charges, in the order of the attempts; this is only the way in.
CREATE TABLE payment_intent_charges (
    charge_id         VARCHAR(255) COLLATE "C" NOT NULL,
    payment_intent_id VARCHAR(255) COLLATE "C" NOT NULL,
    account_id        VARCHAR(64)  NOT NULL,
    CONSTRAINT payment_intent_charges_pkey PRIMARY KEY (charge_id)
);

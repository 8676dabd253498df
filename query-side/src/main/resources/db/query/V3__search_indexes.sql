-- Search compares customer and metadata values without regard to case (as Stripe's token fields do). These
-- indexes let those comparisons use an index instead of scanning every intent of the account.
CREATE INDEX payment_intents_account_customer_lower_created
    ON payment_intents (account_id, lower(customer), created DESC, id DESC);

-- Metadata with its values lower-cased and its keys exact, kept in a stored column so that a GIN containment (@>)
-- lookup reads it instead of recomputing it for every candidate row.
CREATE FUNCTION metadata_lower_values(metadata jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT coalesce(jsonb_object_agg(key, lower(value)), '{}'::jsonb) FROM jsonb_each_text(metadata) $$;

ALTER TABLE payment_intents
    ADD COLUMN metadata_lower jsonb GENERATED ALWAYS AS (metadata_lower_values(metadata)) STORED;

CREATE INDEX payment_intents_metadata_lower ON payment_intents USING gin (metadata_lower jsonb_path_ops);

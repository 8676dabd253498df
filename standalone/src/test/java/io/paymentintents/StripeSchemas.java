package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stripe's own schemas (src/test/resources/stripe, MIT), turned from OpenAPI 3.0 into JSON Schema draft 7 so that a
 * standard validator can check our responses: {@code nullable} becomes a null type, and references to objects the
 * extract does not contain accept anything. Extra fields are allowed (Stripe's schemas allow them); missing or
 * mistyped required ones fail.
 */
final class StripeSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> INCLUDED = Set.of("payment_intent", "api_errors", "error", "event", "charge",
            "billing_details", "address", "charge_outcome", "payment_intent_next_action",
            "payment_intent_next_action_redirect_to_url", "notification_event_data", "notification_event_request");
    /** From the second extract, stripe-openapi-webhook-endpoints-2023-08-16.json. */
    private static final Set<String> WEBHOOK_INCLUDED = Set.of("webhook_endpoint", "deleted_webhook_endpoint");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    static final JsonSchema PAYMENT_INTENT;
    static final JsonSchema ERROR;
    static final JsonSchema LIST;
    static final JsonSchema SEARCH_RESULT;
    static final JsonSchema EVENT;
    static final JsonSchema EVENT_LIST;
    static final JsonSchema CHARGE;
    static final JsonSchema WEBHOOK_ENDPOINT;
    static final JsonSchema DELETED_WEBHOOK_ENDPOINT;
    static final JsonSchema WEBHOOK_ENDPOINT_LIST;

    static {
        JsonNode spec = load();
        ObjectNode definitions = NODES.objectNode();
        for (String name : INCLUDED) {
            definitions.set(name, convert(spec.get(name).deepCopy()));
        }
        // LeanRails adds "failed" to Stripe's statuses (an asynchronous debit the bank rejected): our documented extension.
        ((ArrayNode) definitions.at("/payment_intent/properties/status/enum")).add("failed");
        PAYMENT_INTENT = schema(definitions, ref("payment_intent"));
        ERROR = schema(definitions, ref("error"));
        EVENT = schema(definitions, ref("event"));
        CHARGE = schema(definitions, ref("charge"));
        JsonNode webhooks = load("/stripe/stripe-openapi-webhook-endpoints-2023-08-16.json");
        for (String name : WEBHOOK_INCLUDED) {
            definitions.set(name, convert(webhooks.get(name).deepCopy()));
        }
        WEBHOOK_ENDPOINT = schema(definitions, ref("webhook_endpoint"));
        DELETED_WEBHOOK_ENDPOINT = schema(definitions, ref("deleted_webhook_endpoint"));
        WEBHOOK_ENDPOINT_LIST = schema(definitions, convert(webhooks.at("/paths/~1v1~1webhook_endpoints/get/"
                + "responses/200/content/application~1json/schema").deepCopy()));
        LIST = schema(definitions, convert(spec.at("/paths/~1v1~1payment_intents/get/responses/200/content/"
                + "application~1json/schema").deepCopy()));
        EVENT_LIST = schema(definitions, convert(spec.at("/paths/~1v1~1events/get/responses/200/content/"
                + "application~1json/schema").deepCopy()));
        SEARCH_RESULT = schema(definitions, convert(spec.at("/paths/~1v1~1payment_intents~1search/get/responses/200/"
                + "content/application~1json/schema").deepCopy()));
    }

    private StripeSchemas() {
    }

    /** Validates a response body by what it is; fails with every violation listed. */
    static void assertConforms(String path, JsonNode body) {
        if (body == null || !body.isObject()) {
            return;
        }
        JsonSchema schema = null;
        if (body.has("error")) {
            schema = ERROR;
        } else if ("payment_intent".equals(body.path("object").asText())) {
            schema = PAYMENT_INTENT;
        } else if ("list".equals(body.path("object").asText()) && path.startsWith("/v1/payment_intents")
                && !path.matches("/v1/payment_intents/[^/?]+/history.*")) { // an audit trail is ours, not Stripe's
            schema = LIST;
        } else if ("list".equals(body.path("object").asText()) && path.startsWith("/v1/events")) {
            schema = EVENT_LIST;
            body.path("data").forEach(event -> assertConforms(path, event.path("data").path("object")));
        } else if ("search_result".equals(body.path("object").asText())) {
            schema = SEARCH_RESULT;
        } else if ("event".equals(body.path("object").asText())) {
            schema = EVENT;
            // Stripe's schema lets data.object be any object; ours is always a payment intent, held to its schema
            assertConforms(path, body.path("data").path("object"));
        } else if ("charge".equals(body.path("object").asText())) {
            schema = CHARGE;
        }
        if (schema == null) {
            schema = webhookSchema(path, body);
        }
        if (schema != null) {
            Set<ValidationMessage> violations = schema.validate(body);
            if (!violations.isEmpty()) {
                throw new AssertionError("response of " + path + " does not conform to Stripe's schema: "
                        + violations + "\n" + body.toPrettyString());
            }
        }
    }

    /** Webhook endpoints are Stripe's objects; their deliveries (and lists of them) are ours. */
    private static JsonSchema webhookSchema(String path, JsonNode body) {
        String object = body.path("object").asText();
        if ("webhook_endpoint".equals(object)) {
            return body.has("deleted") ? DELETED_WEBHOOK_ENDPOINT : WEBHOOK_ENDPOINT;
        }
        if ("list".equals(object) && path.startsWith("/v1/webhook_endpoints") && !path.contains("/deliveries")) {
            return WEBHOOK_ENDPOINT_LIST;
        }
        return null;
    }

    private static JsonSchema schema(ObjectNode definitions, JsonNode root) {
        ObjectNode document = NODES.objectNode();
        document.put("$schema", "http://json-schema.org/draft-07/schema#");
        document.set("definitions", definitions);
        document.set("allOf", NODES.arrayNode().add(root));
        return FACTORY.getSchema(document);
    }

    private static ObjectNode ref(String name) {
        return NODES.objectNode().put("$ref", "#/definitions/" + name);
    }

    /** OpenAPI 3.0 to draft 7, recursively. */
    private static JsonNode convert(JsonNode node) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((ArrayNode) node).set(i, convert(node.get(i)));
            }
            return node;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode object = (ObjectNode) node;
        if (object.has("$ref")) {
            String name = object.get("$ref").asText().replace("#/components/schemas/", "");
            return INCLUDED.contains(name) || WEBHOOK_INCLUDED.contains(name) ? ref(name)
                    : NODES.objectNode(); // not in the extract: accept anything
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!List.of("enum", "required", "x-expandableFields", "description", "title").contains(field.getKey())) {
                field.setValue(convert(field.getValue()));
            }
        }
        if (object.path("nullable").asBoolean(false)) {
            object.remove("nullable");
            if (object.has("type")) {
                object.set("type", NODES.arrayNode().add(object.get("type").asText()).add("null"));
            }
            if (object.has("enum")) {
                ((ArrayNode) object.get("enum")).addNull();
            }
            if (object.has("anyOf")) {
                ((ArrayNode) object.get("anyOf")).add(NODES.objectNode().put("type", "null"));
            }
        }
        object.remove(List.of("nullable", "x-expandableFields", "x-expansionResources", "x-resourceId",
                "x-stripeBypassValidation", "maxLength"));
        return object;
    }

    private static JsonNode load() {
        return load("/stripe/stripe-openapi-payment-intents-2023-08-16.json");
    }

    private static JsonNode load(String resource) {
        try (InputStream in = StripeSchemas.class.getResourceAsStream(resource)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.paymentintents.gateway.web;

import io.paymentintents.api.Charge;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.query.PaymentIntentView;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders read-model views as Stripe's JSON objects: the union of both seeds' PaymentIntent (customer and
 * customer_id, created and created_at/updated_at), absent values as null, never missing.
 */
public final class StripeObjects {

    private StripeObjects() {
    }

    public static Map<String, Object> paymentIntent(PaymentIntentView v) {
        return paymentIntent(v, io.paymentintents.gateway.Expansion.NONE);
    }

    public static Map<String, Object> paymentIntent(PaymentIntentView v, io.paymentintents.gateway.Expansion expansion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("object", "payment_intent");
        m.put("amount", v.amount());
        m.put("amount_capturable", v.amountCapturable());
        m.put("amount_received", v.amountReceived());
        m.put("canceled_at", v.canceledAt() == null ? null : v.canceledAt().getEpochSecond());
        m.put("cancellation_reason", v.cancellationReason() == null ? null : v.cancellationReason().wireName());
        m.put("capture_method", v.captureMethod().wireName());
        m.put("charges", charges(v));
        m.put("client_secret", v.clientSecret());
        m.put("confirmation_method", v.confirmationMethod().wireName());
        m.put("created", v.createdAt().getEpochSecond());
        m.put("created_at", iso(v.createdAt()));
        m.put("currency", v.currency());
        m.put("customer", v.customer());
        m.put("customer_id", v.customer());
        m.put("description", v.description());
        m.put("last_payment_error", v.lastPaymentError() == null ? null : paymentError(v.lastPaymentError()));
        m.put("latest_charge", expansion.latestCharge() && !v.charges().isEmpty()
                ? charge(v.charges().get(v.charges().size() - 1), v) : v.latestChargeId());
        m.put("livemode", false);
        m.put("metadata", new LinkedHashMap<>(new java.util.TreeMap<>(v.metadata())));
        m.put("next_action", nextAction(v));
        m.put("payment_method", v.paymentMethod());
        m.put("payment_method_types", v.paymentMethodTypes());
        m.put("status", v.status().wireName());
        m.put("updated_at", iso(v.updatedAt()));
        return m;
    }

    /**
     * What the client must do next: only an intent in requires_action has something to do, authenticate on the
     * hosted page. With a return_url the customer is sent there and back (redirect_to_url); without one the client
     * (Stripe.js) opens the page itself, as it does with Stripe's use_stripe_sdk.
     */
    static Map<String, Object> nextAction(PaymentIntentView v) {
        if (v.status() != PaymentIntentStatus.REQUIRES_ACTION) {
            return null;
        }
        String url = HostedPages.current().authenticationUrl(v.clientSecret());
        Map<String, Object> action = new LinkedHashMap<>();
        if (v.returnUrl() != null) {
            Map<String, Object> redirect = new LinkedHashMap<>();
            redirect.put("return_url", v.returnUrl());
            redirect.put("url", url);
            action.put("redirect_to_url", redirect);
            action.put("type", "redirect_to_url");
        } else {
            action.put("type", "use_stripe_sdk");
            Map<String, Object> sdk = new LinkedHashMap<>();
            sdk.put("type", "three_d_secure_redirect");
            sdk.put("stripe_js", url);
            action.put("use_stripe_sdk", sdk);
        }
        return action;
    }

    private static Map<String, Object> charges(PaymentIntentView v) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        // Stripe lists newest first.
        List<Map<String, Object>> data = new java.util.ArrayList<>();
        for (int i = v.charges().size() - 1; i >= 0; i--) {
            data.add(charge(v.charges().get(i), v));
        }
        list.put("data", data);
        list.put("has_more", false);
        list.put("total_count", data.size());
        list.put("url", "/v1/charges?payment_intent=" + v.id());
        return list;
    }

    public static Map<String, Object> charge(Charge c, PaymentIntentView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("object", "charge");
        m.put("amount", c.amount());
        m.put("amount_captured", c.amountCaptured());
        m.put("amount_refunded", c.amountRefunded());
        m.put("billing_details", BILLING_DETAILS); // required by Stripe's schema; we collect none
        m.put("captured", c.captured());
        m.put("created", c.created().getEpochSecond());
        m.put("currency", c.currency());
        m.put("customer", v.customer());
        m.put("description", v.description());
        m.put("disputed", false);
        m.put("failure_code", c.failureCode());
        m.put("failure_message", c.failureMessage());
        m.put("livemode", false);
        m.put("metadata", Map.of());
        m.put("outcome", outcome(c));
        m.put("paid", "succeeded".equals(c.status()));
        m.put("payment_intent", v.id());
        m.put("payment_method", c.paymentMethod());
        m.put("payment_method_details", Map.of("type", c.paymentMethodType()));
        m.put("refunded", c.amountRefunded() > 0 && c.amountRefunded() == c.amount());
        m.put("status", c.status());
        return m;
    }

    /** Null while the network has not answered (a pending charge without an outcome yet), as at Stripe. */
    private static Map<String, Object> outcome(Charge c) {
        if (c.outcomeType() == null) {
            return null;
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        boolean failed = "failed".equals(c.status());
        outcome.put("network_status", failed ? "declined_by_network" : "approved_by_network");
        outcome.put("reason", c.declineCode());
        outcome.put("risk_level", "normal");
        outcome.put("seller_message", c.sellerMessage());
        outcome.put("type", c.outcomeType());
        return outcome;
    }

    private static final Map<String, Object> BILLING_DETAILS = billingDetails();

    private static Map<String, Object> billingDetails() {
        Map<String, Object> address = new LinkedHashMap<>();
        for (String field : List.of("city", "country", "line1", "line2", "postal_code", "state")) {
            address.put(field, null);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("address", java.util.Collections.unmodifiableMap(address));
        details.put("email", null);
        details.put("name", null);
        details.put("phone", null);
        return java.util.Collections.unmodifiableMap(details);
    }

    /** {@code last_payment_error}: Stripe's error object, whose fields are omitted rather than null. */
    public static Map<String, Object> paymentError(PaymentError e) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIfPresent(m, "charge", e.chargeId());
        putIfPresent(m, "code", e.code());
        putIfPresent(m, "decline_code", e.declineCode());
        putIfPresent(m, "doc_url", docUrl(e.code()));
        putIfPresent(m, "message", e.message());
        if (e.paymentMethod() != null) {
            Map<String, Object> method = new LinkedHashMap<>();
            method.put("id", e.paymentMethod());
            method.put("object", "payment_method");
            method.put("type", e.paymentMethodType());
            m.put("payment_method", method);
        }
        putIfPresent(m, "payment_method_type", e.paymentMethodType());
        m.put("type", e.type());
        return m;
    }

    /** The error envelope {@code {"error": {...}}}, with absent fields omitted as in Stripe's responses. */
    public static Map<String, Object> error(ApiError error, PaymentIntentView paymentIntent) {
        Map<String, Object> body = new LinkedHashMap<>();
        putIfPresent(body, "code", error.code());
        putIfPresent(body, "decline_code", error.declineCode());
        putIfPresent(body, "doc_url", docUrl(error.code()));
        body.put("message", error.message());
        putIfPresent(body, "param", error.param());
        if (paymentIntent != null) {
            body.put("payment_intent", paymentIntent(paymentIntent));
            if (paymentIntent.lastPaymentError() != null && ApiError.CARD_ERROR.equals(error.type())) {
                PaymentError last = paymentIntent.lastPaymentError();
                putIfPresent(body, "charge", last.chargeId());
                body.put("payment_method", paymentError(last).get("payment_method"));
            }
        }
        body.put("type", error.type());
        return Map.of("error", body);
    }

    /** Stripe documents its own codes; ours (see docs/api.md) have no page there. */
    private static String docUrl(String code) {
        return code == null || OWN_CODES.contains(code) ? null
                : "https://stripe.com/docs/error-codes/" + code.replace('_', '-');
    }

    private static final java.util.Set<String> OWN_CODES = java.util.Set.of(
            io.paymentintents.api.error.ErrorCodes.INVALID_JSON, io.paymentintents.api.error.ErrorCodes.INVALID_REQUEST_BODY,
            io.paymentintents.api.error.ErrorCodes.INVALID_CURRENCY, io.paymentintents.api.error.ErrorCodes.REQUEST_TOO_LARGE);

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** ISO-8601 UTC to the second, as the LeanRails quickstart shows: {@code 2026-03-09T10:00:00Z}. */
    static String iso(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
